package dev.gangway.quota;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the quota admission taught about a job's rank pods when it refused one at creation, though the check before it
 * found room ({@link QuotaFit}): another workload took the room first, or a pod counts more than its template says (a
 * sidecar a mutating webhook adds, a defaulted PriorityClass a scoped quota selects). The gang's pods already created are
 * deleted, so no part of it holds GPUs it cannot use ({@link #rollingBack}), and later checks of the job count what the
 * server said: the refusing quota applies to its pods whatever its scopes, and a pod uses at least what it counted there.
 * Without that memory the same check would pass again and the gang would be created, refused and deleted in a loop.
 *
 * <p>Kept in the leader's memory until the job is forgotten: a new leader learns it again from one more refusal.
 */
public final class QuotaRefusals {
  private static final class Learned {
    final Set<String> quotas = new HashSet<>();
    final Map<String, BigDecimal> perRank = new HashMap<>();
    /** The attempt whose created pods are to be deleted; null once none is left. */
    Integer rollingBack;
    QuotaRefusal last;
  }

  private final Map<String, Learned> byJob = new HashMap<>();

  /** The quota admission refused a rank pod of this attempt. */
  public synchronized void refused(String jobKey, int attempt, QuotaRefusal refusal) {
    Learned learned = byJob.computeIfAbsent(jobKey, k -> new Learned());
    learned.quotas.add(refusal.quota());
    refusal.requestedPerPod().forEach((hardKey, amount) -> learned.perRank.merge(RankQuotaUsage.counted(hardKey), amount, BigDecimal::max));
    learned.rollingBack = attempt;
    learned.last = refusal;
  }

  /** The refusal whose created pods of this attempt are still to be deleted, if any. */
  public synchronized Optional<QuotaRefusal> rollingBack(String jobKey, int attempt) {
    Learned learned = byJob.get(jobKey);
    return learned != null && learned.rollingBack != null && learned.rollingBack == attempt ? Optional.of(learned.last) : Optional.empty();
  }

  /** No pod of the refused attempt is left. */
  public synchronized void rolledBack(String jobKey) {
    Learned learned = byJob.get(jobKey);
    if (learned != null) {
      learned.rollingBack = null;
    }
  }

  /**
   * The job's spec changed (its template, while it waited with no pod): what the server counted of its old pods no longer
   * says what the new ones count. A pod refused again teaches it afresh. Pods of the refused attempt still go.
   */
  public synchronized void specChanged(String jobKey) {
    Learned learned = byJob.get(jobKey);
    if (learned != null) {
      learned.perRank.clear();
      learned.quotas.clear();
    }
  }

  /** One rank pod's usage as counted from its template, raised to what the quota admission counted when it refused one. */
  public synchronized Map<String, BigDecimal> perRank(String jobKey, Map<String, BigDecimal> fromTemplate) {
    Learned learned = byJob.get(jobKey);
    if (learned == null) {
      return fromTemplate;
    }
    Map<String, BigDecimal> raised = new HashMap<>(fromTemplate);
    learned.perRank.forEach((resource, amount) -> raised.merge(resource, amount, BigDecimal::max));
    return raised;
  }

  /** The quotas known to count this job's pods, whatever their scopes say. */
  public synchronized Set<String> quotasCounting(String jobKey) {
    Learned learned = byJob.get(jobKey);
    return learned == null ? Set.of() : Set.copyOf(learned.quotas);
  }

  public synchronized void forget(String jobKey) {
    byJob.remove(jobKey);
  }

  /** Drops what was learned about jobs for which {@code exists} is false. */
  public synchronized void retain(Predicate<String> exists) {
    byJob.keySet().removeIf(exists.negate());
  }
}
