package dev.gangway.recovery;

import dev.gangway.pod.Timestamps;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The facts about one failed rank that a failure policy is matched on.
 *
 * @param pod the rank's pod name, null if it has none
 * @param exitCode exit code of the main container, null when it did not terminate (e.g. its node vanished)
 * @param reason the container's termination reason (OOMKilled, Error, ContainerCannotRun, …) or else
 *     the pod's status reason (Evicted, …)
 * @param podConditions types of the pod's conditions that are True, e.g. DisruptionTarget
 * @param time when the failure happened: the container's finishedAt, when the node went NotReady,
 *     or, lacking both, when Gangway saw it
 * @param logTail the rank's last log lines, fetched by the caller; may be null
 */
public record Failure(int rank, String pod, NodeStatus node, Integer exitCode, String reason, Set<String> podConditions,
                      Instant time, String logTail) {

  public Failure {
    node = node == null ? NodeStatus.unknown() : node;
    podConditions = podConditions == null ? Set.of() : Set.copyOf(podConditions);
  }

  /**
   * From the rank's pod: the main (first) container's termination, the pod's reason as a fallback,
   * its True conditions, and finishedAt as the time when known.
   */
  public static Failure fromPod(int rank, Pod pod, NodeStatus node, Instant observedAt) {
    Optional<ContainerStateTerminated> end = mainTermination(pod);
    String podReason = pod.getStatus() == null ? null : pod.getStatus().getReason();
    Set<String> conditions = new TreeSet<>();
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      pod.getStatus().getConditions().stream().filter(c -> "True".equals(c.getStatus())).forEach(c -> conditions.add(c.getType()));
    }
    Instant finishedAt = end.map(ContainerStateTerminated::getFinishedAt).map(Timestamps::parse).orElse(null);
    return new Failure(rank, pod.getMetadata().getName(), node, end.map(ContainerStateTerminated::getExitCode).orElse(null),
        reason(end, podReason), conditions,
        finishedAt != null ? finishedAt : observedAt, null);
  }

  /** A rank that has not terminated but whose node is gone, NotReady or unhealthy. */
  public static Failure onNode(int rank, String pod, NodeStatus node, Instant observedAt) {
    Instant time = node.since() != null ? node.since() : observedAt;
    return new Failure(rank, pod, node, null, null, Set.of(), time, null);
  }

  public Failure withLogTail(String logTail) {
    return new Failure(rank, pod, node, exitCode, reason, podConditions, time, logTail);
  }

  public Failure withPodConditions(Set<String> conditions) {
    return new Failure(rank, pod, node, exitCode, reason, conditions, time, logTail);
  }

  /** "rank 3 (pod llm-r3-a2 on node gpu-17)", for messages. */
  public String who() {
    StringBuilder s = new StringBuilder("rank ").append(rank);
    if (pod != null || node.name() != null) {
      s.append(" (");
      if (pod != null) s.append("pod ").append(pod);
      if (pod != null && node.name() != null) s.append(' ');
      if (node.name() != null) s.append("on node ").append(node.name());
      s.append(')');
    }
    return s.toString();
  }

  /** Kubernetes' own reason for ending the pod (Evicted, …) says more than the container's "Error". */
  private static String reason(Optional<ContainerStateTerminated> end, String podReason) {
    if (FailureClassifier.has(FailureClassifier.DISRUPTION_REASONS, podReason)) {
      return podReason;
    }
    return end.map(ContainerStateTerminated::getReason).orElse(podReason);
  }

  private static Optional<ContainerStateTerminated> mainTermination(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses == null || statuses.isEmpty()) {
      return Optional.empty();
    }
    String main = pod.getSpec() == null || pod.getSpec().getContainers().isEmpty() ? null : pod.getSpec().getContainers().get(0).getName();
    return statuses.stream()
        .sorted((a, b) -> Boolean.compare(!a.getName().equals(main), !b.getName().equals(main)))
        .filter(s -> s.getState() != null && s.getState().getTerminated() != null)
        .map(s -> s.getState().getTerminated())
        .findFirst();
  }
}
