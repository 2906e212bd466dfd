package dev.gangway.decide;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.recovery.NodeExclusions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The sentences a person reads in the Placed condition. */
final class PlacementMessages {

  private PlacementMessages() {
  }

  /** e.g. "4 ranks on 4 nodes; spans 1 block, 1 rack, 4 hosts; predicted 1 GiB all-reduce 2.40 ms (best possible 2.40 ms)". */
  static String placed(List<String> nodes, PlacementQuality q) {
    String spans = q.domainsSpanned().entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey() + (e.getValue() == 1 ? "" : "s")).collect(Collectors.joining(", "));
    int hosts = new HashSet<>(nodes).size();
    return String.format(Locale.ROOT, "%d %s on %d %s; spans %s; predicted %d MiB all-reduce %.2f ms (best possible %.2f ms)",
        nodes.size(), nodes.size() == 1 ? "rank" : "ranks", hosts, hosts == 1 ? "node" : "nodes", spans, q.messageBytes() >> 20,
        q.predictedAllReduceSeconds() * 1000, q.lowerBoundAllReduceSeconds() * 1000);
  }

  /** A gang holding out for a tighter placement: how much tighter, and until when. */
  static String holdingOut(String why, Instant until) {
    return why + ". Holding out for that until " + until + " (spec.topology.waitForTighterSeconds), then placed as well as "
        + "the cluster allows";
  }

  /** A gang that does not fit and, by the platform's setting, does not hold capacity yet: gangs behind it may pass until then. */
  static String passedUntil(String why, Instant until) {
    return why + ". Until " + until + " gangs behind it may start on the capacity it waits for (the platform's"
        + " placement.headHoldsAfterSeconds); from then on it holds that capacity against them";
  }

  /** Names the class and both ways out; the job is looked at again on the placement retry, so creating the class starts it. */
  static String priorityClassMissing(String name) {
    return "the pod template names PriorityClass \"" + name + "\", which does not exist, so the API server would refuse every rank pod;"
        + " create it (kubectl create priorityclass " + name + " --value=<priority>) or remove spec.template.spec.priorityClassName."
        + " No rank pod is created meanwhile, and the job starts within seconds of the class existing";
  }

  /** A quota shortfall while pods of the job's earlier attempt still count against the quota. */
  static String quotaHeldByEarlierAttempt(String shortfall, int earlierPods) {
    return shortfall + " (" + earlierPods + (earlierPods == 1 ? " pod" : " pods") + " of this job's earlier attempt still count until "
        + (earlierPods == 1 ? "it is" : "they are") + " gone)";
  }

  /**
   * A rank pod refused by a quota the check before it expected to admit it, and what follows: e.g. "ResourceQuota 'cpu' refused
   * a rank pod at creation (pods "llm-r1-a1" is forbidden: exceeded quota: ...), though the namespace's quotas seemed to admit the
   * whole gang: ...".
   */
  static String quotaRefused(dev.gangway.quota.QuotaRefusal refusal, int created, int ranks) {
    return "ResourceQuota '" + refusal.quota() + "' refused a rank pod at creation (" + refusal.message() + "), though the "
        + "namespace's quotas seemed to admit the whole gang: another workload's pods took the room first, or the pods count more "
        + "than their template says (containers a mutating webhook adds, a scope Gangway does not judge). The " + created + " of "
        + ranks + " rank pods created are deleted, so no part of the gang holds GPUs it cannot use; it waits until the quota admits "
        + "all of it, counting each rank pod as the quota admission did";
  }

  /**
   * A rank pod an admission plugin refused at creation, the rank pods created deleted for it, and when Gangway tries again.
   */
  static String admissionRefused(String object, String serverMessage, int created, int ranks, int inARow, Instant retryAt) {
    return "The API server refused " + object + " at creation: " + serverMessage + ". " + (created == 0
        ? "No rank pod of the gang exists, so none holds GPUs it cannot use; "
        : "The " + created + " of " + ranks + " rank pods created are deleted, so no part of the gang holds GPUs it cannot use; ")
        + retry(inARow, retryAt);
  }

  /** The gang waits out an admission refusal, holding nothing. */
  static String admissionRefused(String object, String serverMessage, int inARow, Instant retryAt) {
    return "The API server refused " + object + " at creation: " + serverMessage + ". The gang holds no pods or nodes meanwhile; "
        + retry(inARow, retryAt);
  }

  private static String retry(int inARow, Instant retryAt) {
    return "Gangway tries again at " + retryAt + " (refusal " + inARow + " in a row; the wait doubles up to "
        + AdmissionRefusals.LONGEST_RETRY.toMinutes() + " min). Fix what the message names (create the ServiceAccount, ask about "
        + "the policy that refused it); if the job's template is what is wrong, change it: no pod exists, so it may change without a "
        + "suspend, and the changed job is tried again at once";
  }

  /** What is missing (from the topology selection), and that the job waits for it holding nothing. */
  static String topologyMissing(String missing) {
    return missing + ". No rank pod is created meanwhile, and the job starts within seconds of the topology existing";
  }

  /**
   * e.g. "needs 16 ranks x 8 GPUs; without the 3 nodes it keeps off now, the whole cluster has 13 nodes x 8 GPUs = 104 GPUs
   * this job may use (room for 13 such ranks); 2 of them are excluded after failures of this job there (status.nodeExclusions),
   * the first until 2026-11-26T14:00:00Z; the job waits for them".
   */
  static String excluded(String why, List<NodeExclusion> exclusions) {
    Instant first = NodeExclusions.firstEnd(exclusions);
    String own = exclusions.isEmpty() ? "; none of them is excluded by this job (they are unhealthy, flagged after failures of "
        + "several jobs, or did not bind its ranks lately: see the nodes' Events and status.placement.avoidedNodes)"
        : "; " + exclusions.size() + " of them " + (exclusions.size() == 1 ? "is" : "are") + " excluded after failures of this job "
        + "there (status.nodeExclusions)" + (first == null ? "" : ", the first until " + first);
    return why + own + "; the job waits for them";
  }

  /**
   * e.g. "1 of 2 ranks did not bind within 60 s: rank 1 (pod llm-r1-a1) on n2: 0/16 nodes are available: 1 node(s) didn't
   * match pod anti-affinity rules; placing the gang again without n2 until 2026-11-26T10:11:01Z".
   */
  static String expired(List<BindDeadlines.Overdue> overdue, int ranks, Duration bindTimeout, Instant until) {
    String first = overdue.stream().limit(3).map(BindDeadlines.Overdue::message).collect(Collectors.joining("; "));
    String more = overdue.size() > 3 ? "; and " + (overdue.size() - 3) + " more" : "";
    String nodes = overdue.stream().map(BindDeadlines.Overdue::node).distinct().sorted().collect(Collectors.joining(", "));
    return overdue.size() + " of " + ranks + " ranks did not bind within " + bindTimeout.toSeconds() + " s: " + first + more
        + "; placing the gang again without " + nodes + " until " + until;
  }

  /** A rank of a decided gang whose pod is gone; {@code node} is where it was decided to go, or null when not known here. */
  record LostRank(int rank, String pod, String node) {
  }

  /**
   * e.g. "rank 0 (pod llm-r0-a1, decided for n1) is gone before the gang ran (preempted or deleted): the decision is void; its 1
   * other pod is deleted and the gang of 2 ranks is placed again".
   */
  static String lost(List<LostRank> lost, int ranks, int others) {
    String which = lost.stream().limit(3).map(r -> "rank " + r.rank() + " (pod " + r.pod() + (r.node() == null ? "" : ", decided for " + r.node())
        + ")").collect(Collectors.joining(", "));
    String more = lost.size() > 3 ? " and " + (lost.size() - 3) + " more" : "";
    return which + more + (lost.size() == 1 ? " is" : " are") + " missing before the gang ran (preempted, deleted, or its creation "
        + "interrupted by an operator restart): the decision is void; its "
        + others + " other pod" + (others == 1 ? "" : "s") + (others == 1 ? " is" : " are") + " deleted and the gang of " + ranks
        + " ranks is placed again";
  }
}
