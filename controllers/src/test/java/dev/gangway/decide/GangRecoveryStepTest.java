package dev.gangway.decide;

import dev.gangway.job.JobDependencies;
import dev.gangway.job.TestJobs;
import dev.gangway.observe.GangObservation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.recovery.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GangRecoveryStepTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private final GangRecoveryStep step = recoveryStep(JobDependencies.standalone());
  private final TrainingJob job = TestJobs.job("llm", 2, 8);

  private RecoveryDecision decide(Function<String, NodeStatus> nodes, Pod... pods) {
    return step.decide(job, GangObservation.of(List.of(pods), 1, 2), nodes, p -> "last line of the log", NOW);
  }

  private static Function<String, NodeStatus> allReady() {
    return NodeStatus::ready;
  }

  @Test
  void aHealthyGangNeedsNothing() {
    assertThat(decide(allReady(), TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")), TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")))
        .kind()).isEqualTo(RecoveryDecision.Kind.NONE);
  }

  @Test
  void aRetryableExitRestartsAsTheNextAttemptWithoutExcludingTheNode() {
    var decision = decide(allReady(), TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(1, "Error", "NCCL timeout")));
    assertThat(decision.kind()).isEqualTo(RecoveryDecision.Kind.RESTART);
    assertThat(decision.restart().nextAttempt()).isEqualTo(2);
    assertThat(decision.restart().excludedNodes()).as("a crash is as likely the program's as the node's").isEmpty();
    assertThat(decision.restart().infrastructure()).isFalse();
  }

  @Test
  void aPermanentExitFailsTheJobWithTheLogTailTheKubeletKeptWithoutReadingTheLog() {
    List<Pod> logsRead = new java.util.ArrayList<>();
    var decision = step.decide(job, GangObservation.of(List.of(
        TestJobs.pod(job, 0, 1, "n1", TestJobs.exited(127, "Error", "python: can't open file 'train.py'")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2"))), 1, 2), allReady(), p -> {
          logsRead.add(p);
          return "last line of the log";
        }, NOW);
    assertThat(decision.kind()).isEqualTo(RecoveryDecision.Kind.FAIL);
    assertThat(decision.reason()).isEqualTo("PermanentFailure");
    assertThat(decision.message()).contains("127", "can't open file 'train.py'").doesNotContain("last line of the log");
    assertThat(logsRead).as("FallbackToLogsOnError: the message is the log's tail").isEmpty();
  }

  @Test
  void aRankThatLoggedNothingIsNotReadEither() {
    List<Pod> logsRead = new java.util.ArrayList<>();
    var decision = step.decide(job, GangObservation.of(List.of(TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(1, "Error", null))), 1, 2), allReady(), p -> {
          logsRead.add(p);
          return "last line of the log";
        }, NOW);
    assertThat(decision.kind()).isEqualTo(RecoveryDecision.Kind.RESTART);
    assertThat(decision.message()).doesNotContain("Last log lines");
    assertThat(logsRead).isEmpty();
  }

  @Test
  void theLogIsReadWhenTheTemplateChoseTheFilePolicyOrTheMessageIsACheckpointReport() {
    Pod filePolicy = TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(1, "Error", null));
    filePolicy.getSpec().getContainers().get(0).setTerminationMessagePolicy("File");
    assertThat(decide(allReady(), TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")), filePolicy).message())
        .contains("Last log lines:\nlast line of the log");

    Pod reportedCheckpoint = TestJobs.pod(job, 0, 1, "n1",
        TestJobs.exited(1, "Error", "{\"checkpoint\":{\"step\":1200,\"path\":\"/ckpt/step-1200\"}}"));
    assertThat(decide(allReady(), reportedCheckpoint, TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2"))).message())
        .contains("Last log lines:\nlast line of the log").doesNotContain("step-1200");
  }

  @Test
  void aDeletedNodeUnderARunningRankIsAnInfrastructureRestart() {
    Map<String, NodeStatus> nodes = Map.of("n1", NodeStatus.ready("n1"), "n2", NodeStatus.deleted("n2"));
    var decision = decide(nodes::get, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    assertThat(decision.kind()).isEqualTo(RecoveryDecision.Kind.RESTART);
    assertThat(decision.restart().infrastructure()).isTrue();
    assertThat(decision.reason()).isEqualTo("NodeLost");
  }

  @Test
  void aNodeNotReadyWithinItsGraceIsWatchedNotActedOn() {
    Map<String, NodeStatus> nodes = Map.of("n1", NodeStatus.ready("n1"), "n2", NodeStatus.notReady("n2", NOW.minusSeconds(10)));
    var decision = decide(nodes::get, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    assertThat(decision.kind()).isEqualTo(RecoveryDecision.Kind.NONE);
    assertThat(decision.recheckAt()).isEqualTo(NOW.plusSeconds(50));
  }

  @Test
  void nothingIsDecidedTwiceWhileARestartIsPending() {
    job.setStatus(new TrainingJobStatus());
    job.getStatus().setNextRestartTime(NOW.plusSeconds(10).toString());
    assertThat(decide(allReady(), TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(1, "Error", null))).kind())
        .isEqualTo(RecoveryDecision.Kind.NONE);
  }

  @Test
  void aRunningRanksPodThatVanishedFromAReadyNodeIsAnInfrastructureRestartThatBlamesNoNode() {
    runningOn("n1", "n2");
    var outcome = decide(allReady(), TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")));
    assertThat(outcome.kind()).isEqualTo(RecoveryDecision.Kind.RESTART);
    assertThat(outcome.reason()).isEqualTo("PodDisrupted");
    assertThat(outcome.restart().infrastructure()).as("an eviction, preemption or kubectl delete is not the job's own failure").isTrue();
    assertThat(outcome.restart().excludedNodes()).isEmpty();
    assertThat(outcome.message()).contains("rank 1", "pod was deleted");
  }

  @Test
  void aRunningRanksPodThatVanishedWithItsNodeIsANodeLoss() {
    runningOn("n1", "n2");
    Map<String, NodeStatus> nodes = Map.of("n1", NodeStatus.ready("n1"), "n2", NodeStatus.deleted("n2"));
    var outcome = decide(nodes::get, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")));
    assertThat(outcome.reason()).isEqualTo("NodeLost");
    assertThat(outcome.restart().excludedNodes()).containsExactly("n2");
  }

  /** The stored status of a gang that runs attempt 1 on these nodes, rank by rank. */
  private void runningOn(String... nodes) {
    TrainingJobStatus status = new TrainingJobStatus();
    status.setPhase(dev.gangway.api.v1alpha1.JobPhase.Running);
    status.setAttempt(1);
    var placement = new dev.gangway.api.v1alpha1.PlacementStatus();
    List<dev.gangway.api.v1alpha1.RankPlacement> ranks = new java.util.ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      ranks.add(new dev.gangway.api.v1alpha1.RankPlacement(i, nodes[i], "llm-r" + i + "-a1"));
    }
    placement.setRanks(ranks);
    status.setPlacement(placement);
    job.setStatus(status);
  }

  static GangRecoveryStep recoveryStep(JobDependencies deps) {
    return new GangRecoveryStep(deps.classifier(), deps.recoveryDefaults(), deps.badNodes());
  }
}
