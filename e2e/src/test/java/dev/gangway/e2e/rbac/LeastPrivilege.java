package dev.gangway.e2e.rbac;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The chart's grants judged by what the operator did with them: a grant no request used is an
 * over-grant unless the allow-list says why it stays; a request the API server refused (403) is a
 * missing grant, unless a test provoked it on purpose.
 */
public final class LeastPrivilege {
  private final List<Grant> grants;
  private final List<AuditedRequest> requests;
  private final Map<String, String> allowedUnused;

  /**
   * @param allowedUnused grant keys ({@link Grant#key()}) that may stay unused, each with its reason
   */
  public LeastPrivilege(List<Grant> grants, List<AuditedRequest> requests, Map<String, String> allowedUnused) {
    this.grants = List.copyOf(grants);
    this.requests = List.copyOf(requests);
    this.allowedUnused = Map.copyOf(allowedUnused);
  }

  /** Grants no request used and the allow-list does not name. */
  public List<Grant> overGrants() {
    return unused().stream().filter(g -> !allowedUnused.containsKey(g.key())).toList();
  }

  /** Allow-list entries the run used after all (the entry can go) or the chart no longer grants. */
  public Set<String> staleAllowances() {
    Set<String> unusedKeys = new TreeSet<>();
    unused().forEach(g -> unusedKeys.add(g.key()));
    Set<String> stale = new TreeSet<>(allowedUnused.keySet());
    stale.removeAll(unusedKeys);
    return stale;
  }

  /** Requests the API server refused, except those {@code expected} accepts (a test that took a grant away on purpose). */
  public List<AuditedRequest> refused(Predicate<AuditedRequest> expected) {
    return requests.stream().filter(AuditedRequest::refused).filter(expected.negate()).distinct().toList();
  }

  /** Each grant with the number of requests it covered, for the test's output. */
  public Map<Grant, Long> uses() {
    Map<Grant, Long> uses = new LinkedHashMap<>();
    for (Grant g : grants) {
      uses.put(g, requests.stream().filter(r -> !r.refused() && g.covers(r)).count());
    }
    return uses;
  }

  /** The distinct (verb, resource, scope) the requests used, the tests' generated namespaces named by {@code testNamespace}. */
  public Set<String> used(java.util.function.UnaryOperator<String> testNamespace) {
    Set<String> used = new TreeSet<>();
    for (AuditedRequest r : requests) {
      used.add(r.verb() + " " + (r.group().isEmpty() ? "" : r.group() + "/") + r.resource()
          + (r.namespace() == null ? " (cluster-wide)" : " in " + testNamespace.apply(r.namespace())) + (r.refused() ? " REFUSED" : ""));
    }
    return used;
  }

  private List<Grant> unused() {
    List<Grant> unused = new ArrayList<>();
    Set<Grant> seen = new LinkedHashSet<>();
    for (Grant g : grants) {
      if (seen.add(g) && requests.stream().noneMatch(r -> !r.refused() && g.covers(r))) {
        unused.add(g);
      }
    }
    return unused;
  }
}
