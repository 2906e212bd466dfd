package dev.gangway.e2e.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * "Only the leader writes", checked on the API server's audit log. Each replica has its own user;
 * the Lease's holder at any instant is the user whose write of the Lease last succeeded before it.
 * Any other write (pods, services, configmaps, status, nodes, events, …) by an operator user who
 * was not that holder when the API server received it is a violation. Writes of the Lease itself
 * are the election and are not judged.
 */
public final class LeaderWriteCheck {
  private LeaderWriteCheck() {
  }

  /** A holder change seen in the audit log. */
  public record Holding(java.time.Instant since, String user) {
  }

  public static List<Holding> holdings(List<AuditEvent> events, String leaseNamespace, String leaseName) {
    List<Holding> holdings = new ArrayList<>();
    events.stream().filter(e -> isLease(e, leaseNamespace, leaseName) && e.write() && e.succeeded())
        .sorted(Comparator.comparing(AuditEvent::completed)).forEach(e -> {
          if (holdings.isEmpty() || !holdings.get(holdings.size() - 1).user().equals(e.user())) {
            holdings.add(new Holding(e.completed(), e.user()));
          }
        });
    return holdings;
  }

  public static List<Violation> check(List<AuditEvent> events, Set<String> operatorUsers, String leaseNamespace, String leaseName) {
    List<Holding> holdings = holdings(events, leaseNamespace, leaseName);
    List<Violation> found = new ArrayList<>();
    events.stream().filter(e -> e.write() && operatorUsers.contains(e.user()) && !isLease(e, leaseNamespace, leaseName))
        .sorted(Comparator.comparing(AuditEvent::received)).forEach(e -> {
          Holding holder = holderAt(holdings, e.received());
          if (holder == null || !holder.user().equals(e.user())) {
            found.add(new Violation(Invariant.NON_LEADER_WRITE, e.received(), (e.namespace() == null ? "" : e.namespace() + "/") + e.name(),
                null, null, e.describe() + "; the Lease was held by " + (holder == null ? "nobody" : holder.user() + " since "
                    + holder.since())));
          }
        });
    return found;
  }

  private static Holding holderAt(List<Holding> holdings, java.time.Instant at) {
    Holding holder = null;
    for (Holding h : holdings) {
      if (h.since().isAfter(at)) {
        break;
      }
      holder = h;
    }
    return holder;
  }

  private static boolean isLease(AuditEvent e, String namespace, String name) {
    return "leases".equals(e.resource()) && namespace.equals(e.namespace()) && (name.equals(e.name()) || e.name() == null);
  }
}
