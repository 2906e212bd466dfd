package dev.gangway.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Why kube-scheduler did not bind a rank, from the pod's {@code PodScheduled=False} condition. A
 * released rank is pinned to one node, so the clause counting the other nodes as not matching the
 * pod's node affinity is Gangway's own doing and is left out: what remains is the constraint on the
 * reserved node that placement could not see (anti-affinity, a volume's node affinity, a resource).
 */
public final class SchedulerMessage {
  static final String NO_REASON = "kube-scheduler reported no reason";
  private static final String AVAILABLE = "nodes are available: ";
  private static final String OUR_PIN = "didn't match Pod's node affinity/selector";

  private SchedulerMessage() {
  }

  /** Whether kube-scheduler has tried the pod and could not bind it ({@code PodScheduled=False}). */
  public static boolean refused(Pod pod) {
    List<PodCondition> conditions = pod.getStatus() == null ? null : pod.getStatus().getConditions();
    return conditions != null && conditions.stream().anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()));
  }

  public static String whyUnbound(Pod pod) {
    List<PodCondition> conditions = pod.getStatus() == null ? null : pod.getStatus().getConditions();
    String message = conditions == null ? null : conditions.stream()
        .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
        .map(PodCondition::getMessage).filter(m -> m != null && !m.isBlank()).findFirst().orElse(null);
    return message == null ? NO_REASON : withoutOurPin(message.strip());
  }

  /** "0/16 nodes are available: 1 Insufficient nvidia.com/gpu, 15 node(s) didn't match Pod's node affinity/selector. preemption: …" → "0/16 nodes are available: 1 Insufficient nvidia.com/gpu". */
  static String withoutOurPin(String message) {
    int preemption = message.indexOf(". preemption:");
    String verdict = preemption < 0 ? message : message.substring(0, preemption);
    int list = verdict.indexOf(AVAILABLE);
    if (list < 0) {
      return verdict;
    }
    String clauses = verdict.substring(list + AVAILABLE.length());
    if (clauses.endsWith(".")) {
      clauses = clauses.substring(0, clauses.length() - 1);
    }
    String kept = Arrays.stream(clauses.split(", ")).filter(c -> !c.contains(OUR_PIN)).collect(Collectors.joining(", "));
    return kept.isEmpty() ? verdict : verdict.substring(0, list + AVAILABLE.length()) + kept;
  }
}
