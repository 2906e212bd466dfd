package dev.gangway.decide;

import dev.gangway.observe.GangObservation;
import dev.gangway.pod.RankPhase;
import dev.gangway.pod.RankState;
import dev.gangway.pod.TerminationMessages;
import dev.gangway.checkpoint.TerminationMessage;
import dev.gangway.api.v1alpha1.FailurePolicyRule;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.recovery.BadNodeTracker;
import dev.gangway.recovery.CheckpointWait;
import dev.gangway.recovery.FailureClassifier;
import dev.gangway.recovery.RecoveryDefaults;
import dev.gangway.recovery.Classification;
import dev.gangway.recovery.Failure;
import dev.gangway.recovery.NodeStatus;
import dev.gangway.recovery.RecoveryPolicy;
import dev.gangway.recovery.RecoveryState;
import dev.gangway.recovery.RestartPlan;
import dev.gangway.recovery.RestartPlanner;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the first failure of the current attempt — a rank that exited, or one whose node is gone,
 * NotReady past its grace or reported unhealthy — classifies it by the job's failure policy and
 * plans what follows. A collective cannot survive a lost rank, so any failure acted on restarts
 * or fails the whole gang.
 */
public final class GangRecoveryStep {
  private final FailureClassifier classifier;
  private final RecoveryDefaults defaults;
  private final BadNodeTracker badNodes;

  public GangRecoveryStep(FailureClassifier classifier, RecoveryDefaults defaults, BadNodeTracker badNodes) {
    this.classifier = classifier;
    this.defaults = defaults;
    this.badNodes = badNodes;
  }

  /**
   * @param nodeStatus what is known of a node, by name
   * @param logTail the last log lines of a failed rank's pod, fetched only when needed
   */
  public RecoveryDecision decide(TrainingJob job, GangObservation gang, Function<String, NodeStatus> nodeStatus,
                                 Function<Pod, String> logTail, Instant now) {
    TrainingJobStatus status = job.getStatus() == null ? new TrainingJobStatus() : job.getStatus();
    if (status.getNextRestartTime() != null) {
      return RecoveryDecision.NONE; // a restart is already under way
    }
    Optional<Failure> failure = firstFailure(status, gang, nodeStatus, now);
    if (failure.isEmpty()) {
      return RecoveryDecision.NONE;
    }
    Failure f = failure.get();
    String failedPod = f.pod();
    Pod pod = gang.attemptPods().stream().filter(p -> p.getMetadata().getName().equals(failedPod)).findFirst().orElse(null);
    if (pod != null && f.exitCode() != null) {
      f = f.withLogTail(lastWords(pod, logTail));
    }
    List<FailurePolicyRule> rules = job.getSpec().getFailurePolicy() == null ? List.of() : job.getSpec().getFailurePolicy().getRules();
    Classification c = classifier.classify(f, rules, now);
    RecoveryState state = RecoveryState.of(status);
    Optional<Instant> hold = CheckpointWait.holdUntil(c, gang.allRunning(), checkpointWait(job), state.lastCheckpointTime(), now);
    if (hold.isPresent()) {
      return RecoveryDecision.waiting(hold.get(), null, JobEvent.normal("WaitingForCheckpoint", "Node "
          + f.node().name() + " is unhealthy (" + f.node().healthReason() + "); the gang restarts away from it after the next "
          + "checkpoint report or at " + hold.get() + " (failurePolicy.checkpointWaitSeconds), whichever comes first"));
    }
    RecoveryPolicy policy = RecoveryPolicy.resolve(job.getSpec().getFailurePolicy(), defaults);
    RestartPlan plan = RestartPlanner.plan(state, c, policy, now);
    boolean flagged = badNodes.record(c, job.getMetadata().getUid());
    String flaggedNode = flagged ? f.node().name() : null;
    if (plan instanceof RestartPlan.FailJob fail) {
      return RecoveryDecision.fail(fail.reason().name(), fail.message(), flaggedNode);
    }
    if (plan instanceof RestartPlan.Restart restart) {
      return RecoveryDecision.restart(restart, flaggedNode);
    }
    return RecoveryDecision.waiting(((RestartPlan.Ignore) plan).recheckAt(), flaggedNode, null);
  }

  private static Optional<Failure> firstFailure(TrainingJobStatus status, GangObservation gang, Function<String, NodeStatus> nodeStatus,
                                               Instant now) {
    boolean gangWasRunning = status.getPhase() == dev.gangway.api.v1alpha1.JobPhase.Running
        && java.util.Objects.equals(status.getAttempt(), gang.attempt());
    // Ranks without a pod matter only to a gang that ran; before that, reading the ranks with pods is enough.
    for (RankState rank : gangWasRunning ? gang.ranks() : gang.present()) {
      if (rank.phase() == RankPhase.Missing && gangWasRunning) {
        // A running rank's pod vanished (pod GC after its node was lost, an eviction, a person): the collective is broken.
        String node = nodeOfRank(status, rank.rank());
        NodeStatus ns = node == null ? NodeStatus.unknown() : nodeStatus.apply(node);
        return Optional.of(Failure.podDeleted(rank.rank(), ns, now));
      }
      NodeStatus node = rank.node() == null ? NodeStatus.unknown() : nodeStatus.apply(rank.node());
      if (rank.phase() == RankPhase.Failed) {
        Pod pod = gang.attemptPods().stream().filter(p -> p.getMetadata().getName().equals(rank.pod())).findFirst().orElseThrow();
        return Optional.of(Failure.fromPod(rank.rank(), pod, node, now));
      }
      boolean placedOnBadNode = rank.node() != null && node.state() != NodeStatus.State.Ready
          && (rank.phase() == RankPhase.Running || rank.phase() == RankPhase.Pending);
      if (placedOnBadNode) {
        return Optional.of(Failure.onNode(rank.rank(), rank.pod(), node, now));
      }
    }
    return Optional.empty();
  }

  private static Duration checkpointWait(TrainingJob job) {
    Integer seconds = job.getSpec().getFailurePolicy() == null ? null : job.getSpec().getFailurePolicy().getCheckpointWaitSeconds();
    return seconds == null ? Duration.ZERO : Duration.ofSeconds(seconds);
  }

  private static String nodeOfRank(TrainingJobStatus status, int rank) {
    if (status.getPlacement() == null || status.getPlacement().getRanks() == null) {
      return null;
    }
    return status.getPlacement().getRanks().stream().filter(r -> r.getRank() != null && r.getRank() == rank)
        .map(r -> r.getNode()).findFirst().orElse(null);
  }

  /**
   * What the failed rank last said: its termination message when the kubelet filled it from the log (or the program
   * wrote one), so the restart is decided without reading the log through the API server (~0.35 s); the log itself
   * only when the program chose the {@code File} policy or its message is a checkpoint report.
   */
  private static String lastWords(Pod pod, Function<Pod, String> logTail) {
    Optional<String> message = TerminationMessages.of(pod);
    if (TerminationMessages.fallsBackToLogs(pod) && message.flatMap(TerminationMessage::checkpoint).isEmpty()) {
      return message.orElse(null);
    }
    return logTail.apply(pod);
  }
}
