package dev.gangway.decide;

import dev.gangway.job.TestJobs;
import dev.gangway.observe.GangObservation;
import dev.gangway.pod.RankState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.FailurePolicy;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.SuccessPolicy;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStatusMachineTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);

  private final TrainingJob job = TestJobs.job("llama", 2, 8);

  private StatusTransition step(Instant now, Pod... pods) {
    return step(now, List.of(), pods);
  }

  private StatusTransition step(Instant now, List<String> problems, Pod... pods) {
    StatusTransition t = JobStatusMachine.next(job, problems, GangObservation.of(List.of(pods), JobStatusMachine.attemptOf(job), 2), now);
    job.setStatus(t.status());
    return t;
  }

  @Test
  void newJobIsPendingWithAttemptOneAndAStartedEvent() {
    StatusTransition t = step(T0);
    assertThat(t.status().getPhase()).isEqualTo(JobPhase.Pending);
    assertThat(t.status().getAttempt()).isEqualTo(1);
    assertThat(t.status().getRestarts()).isZero();
    assertThat(t.status().getGpus()).isEqualTo(16);
    assertThat(t.status().getReady()).isEqualTo("0/2");
    assertThat(t.status().getObservedGeneration()).isEqualTo(1L);
    assertThat(condition(t.status(), "Running").getStatus()).isEqualTo("False");
    assertThat(condition(t.status(), "Running").getMessage()).contains("0/2 ranks running", "rank 0 (pod not created yet)");
    assertThat(t.events()).extracting(JobEvent::reason).containsExactly("Started");
  }

  @Test
  void pendingMessageCarriesTheSchedulersReason() {
    StatusTransition t = step(T0, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, null, TestJobs.pending("0/16 nodes are available: 16 Insufficient nvidia.com/gpu.")));
    assertThat(condition(t.status(), "Running").getMessage())
        .isEqualTo("1/2 ranks running; waiting for rank 1 (Unschedulable: 0/16 nodes are available: 16 Insufficient nvidia.com/gpu.)");
  }

  @Test
  void allRanksRunningMakesTheJobRunningOnceWithStartTimeAndPlacement() {
    step(T0);
    StatusTransition t = step(T1, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")), TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    assertThat(t.status().getPhase()).isEqualTo(JobPhase.Running);
    assertThat(t.status().getStartTime()).isEqualTo(T1.toString());
    assertThat(t.status().getReady()).isEqualTo("2/2");
    assertThat(t.status().getPlacement().getRanks()).extracting(r -> r.getNode()).containsExactly("n1", "n2");
    assertThat(condition(t.status(), "Running").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(t.events()).extracting(JobEvent::reason).containsExactly("Running");

    StatusTransition again = step(T1.plusSeconds(30), TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    assertThat(again.status()).isEqualTo(t.status());
    assertThat(again.events()).isEmpty();
  }

  @Test
  void inPlaceRestartsComeFromTheAttemptsCheckpointReportsWithAnEventPerRiseAndEndWithTheAttempt() {
    FailurePolicy policy = new FailurePolicy();
    policy.setInPlaceRestarts(3);
    job.getSpec().setFailurePolicy(policy);
    Pod[] attempt1 = {TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")), TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2"))};
    step(T0);
    assertThat(step(T1, attempt1).status().getInPlaceRestarts()).as("none reported").isNull();

    job.getStatus().setLastCheckpoint(checkpoint(1, 100, null));
    StatusTransition quiet = step(T1.plusSeconds(10), attempt1);
    assertThat(quiet.status().getInPlaceRestarts()).isNull();
    assertThat(quiet.events()).isEmpty();

    job.getStatus().setLastCheckpoint(checkpoint(1, 200, 1));
    StatusTransition first = step(T1.plusSeconds(20), attempt1);
    assertThat(first.status().getInPlaceRestarts()).isEqualTo(1);
    assertThat(first.status().getPhase()).isEqualTo(JobPhase.Running);
    assertThat(first.events()).singleElement().satisfies(e -> {
      assertThat(e.warning()).isTrue();
      assertThat(e.reason()).isEqualTo("RestartedInPlace");
      assertThat(e.message()).isEqualTo("The training processes of attempt 1 were restarted in their pods 1 time "
          + "(failurePolicy.inPlaceRestarts: 3), as the checkpoint report of step 200 counted; the pods kept running");
    });
    assertThat(step(T1.plusSeconds(30), attempt1).events()).as("told once").isEmpty();

    job.getStatus().setLastCheckpoint(checkpoint(1, 300, 3));
    StatusTransition more = step(T1.plusSeconds(40), attempt1);
    assertThat(more.status().getInPlaceRestarts()).isEqualTo(3);
    assertThat(more.events()).extracting(JobEvent::message).singleElement().asString().contains("3 times", "step 300");
    // A report that counts fewer (a sender that lost count) never lowers what was told.
    job.getStatus().setLastCheckpoint(checkpoint(1, 400, 2));
    StatusTransition fewer = step(T1.plusSeconds(50), attempt1);
    assertThat(fewer.status().getInPlaceRestarts()).isEqualTo(3);
    assertThat(fewer.events()).isEmpty();

    // The next attempt's processes start afresh (its pods observed, as after a gang restart); its last checkpoint is
    // still attempt 1's.
    StatusTransition next = JobStatusMachine.next(job, List.of(), GangObservation.of(List.of(TestJobs.pod(job, 0, 2, "n3",
        TestJobs.running("n3")), TestJobs.pod(job, 1, 2, "n4", TestJobs.running("n4"))), 2, 2), T1.plusSeconds(60));
    assertThat(next.status().getAttempt()).isEqualTo(2);
    assertThat(next.status().getInPlaceRestarts()).isNull();
    assertThat(next.events()).extracting(JobEvent::reason).doesNotContain("RestartedInPlace");
  }

  private static CheckpointStatus checkpoint(int attempt, long step, Integer inPlaceRestarts) {
    CheckpointStatus c = new CheckpointStatus();
    c.setAttempt(attempt);
    c.setStep(step);
    c.setPath("/ckpt/step-" + step);
    c.setTime(T0.toString());
    c.setInPlaceRestarts(inPlaceRestarts);
    return c;
  }

  @Test
  void allRanksSucceededSucceedsTheJob() {
    step(T0, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")), TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    StatusTransition half = step(T1, TestJobs.pod(job, 0, 1, "n1", TestJobs.exited(0, "Completed", null)),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    assertThat(half.status().getPhase()).isEqualTo(JobPhase.Running);

    StatusTransition done = step(T1, TestJobs.pod(job, 0, 1, "n1", TestJobs.exited(0, "Completed", null)),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(0, "Completed", null)));
    assertThat(done.status().getPhase()).isEqualTo(JobPhase.Succeeded);
    assertThat(done.status().getCompletionTime()).isEqualTo(T1.toString());
    assertThat(condition(done.status(), "Succeeded").getReason()).isEqualTo("AllRanksSucceeded");
    assertThat(condition(done.status(), "Running").getStatus()).isEqualTo("False");
    assertThat(done.events()).extracting(JobEvent::reason).containsExactly("Succeeded");
  }

  @Test
  void rankZeroPolicySucceedsWhenRankZeroExitsCleanly() {
    job.getSpec().setSuccessPolicy(SuccessPolicy.RankZero);
    StatusTransition t = step(T1, TestJobs.pod(job, 0, 1, "n1", TestJobs.exited(0, "Completed", null)),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    assertThat(t.status().getPhase()).isEqualTo(JobPhase.Succeeded);
    assertThat(condition(t.status(), "Succeeded").getReason()).isEqualTo("RankZeroSucceeded");
  }

  @Test
  void aFailOutcomeFailsTheJobWithItsReasonAndMessage() {
    GangObservation gang = GangObservation.of(List.of(TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(2, "Error", "usage"))), 1, 2);
    StatusTransition t = JobStatusMachine.next(job, List.of(), gang, PlacementDecision.NONE,
        RecoveryDecision.fail("PermanentFailure", "rank 1 exited with code 2", null), T1);
    assertThat(t.status().getPhase()).isEqualTo(JobPhase.Failed);
    Condition failed = condition(t.status(), "Failed");
    assertThat(failed.getReason()).isEqualTo("PermanentFailure");
    assertThat(failed.getMessage()).isEqualTo("rank 1 exited with code 2");
    assertThat(t.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
  }

  @Test
  void aFailedRankWithoutADecisionDoesNotEndTheJobByItself() {
    StatusTransition t = step(T1, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")),
        TestJobs.pod(job, 1, 1, "n2", TestJobs.exited(3, "Error", null)));
    assertThat(t.status().getPhase()).isNotEqualTo(JobPhase.Failed);
  }

  @Test
  void finishedJobsStayFinished() {
    job.setStatus(JobStatusMachine.next(job, List.of(), GangObservation.of(List.of(), 1, 2), PlacementDecision.NONE,
        RecoveryDecision.fail("PermanentFailure", "boom", null), T1).status());
    StatusTransition later = step(T1.plusSeconds(5));
    assertThat(later.status().getPhase()).isEqualTo(JobPhase.Failed);
    assertThat(later.status().getCompletionTime()).isEqualTo(T1.toString());
    assertThat(later.events()).isEmpty();
  }

  @Test
  void invalidSpecFailsOnceAndRecoversWhenTheSpecIsFixed() {
    StatusTransition bad = step(T0, List.of("spec.topology.required: level 'x' is not defined"));
    assertThat(bad.status().getPhase()).isEqualTo(JobPhase.Failed);
    assertThat(condition(bad.status(), "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(bad.status(), "Failed").getMessage()).contains("spec.topology.required");
    assertThat(bad.events()).extracting(JobEvent::reason).containsExactly("InvalidSpec");
    assertThat(step(T0, List.of("spec.topology.required: level 'x' is not defined")).events()).isEmpty();

    job.getMetadata().setGeneration(2L);
    StatusTransition fixed = step(T1);
    assertThat(fixed.status().getPhase()).isEqualTo(JobPhase.Pending);
    assertThat(fixed.status().getCompletionTime()).isNull();
    assertThat(condition(fixed.status(), "Failed").getStatus()).isEqualTo("False");
    assertThat(fixed.status().getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void aJobWithFieldsGangwayCannotReadFailsOnceNamingThemAndStartsOverOnceTheyAreFixed() {
    List<String> fields = List.of("spec.failurePolicy.checkpointWaitSeconds: Numeric value (2147483648) out of range of int");
    StatusTransition failed = JobStatusMachine.unreadable(job, fields, T0).orElseThrow();
    assertThat(failed.status().getPhase()).isEqualTo(JobPhase.Failed);
    assertThat(condition(failed.status(), "Failed").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(failed.status(), "Failed").getMessage()).startsWith("Gangway cannot read this field of the stored job: "
        + "spec.failurePolicy.checkpointWaitSeconds: Numeric value (2147483648) out of range of int. ").contains("set a value in range");
    assertThat(failed.events()).extracting(JobEvent::reason).containsExactly("InvalidSpec");
    job.setStatus(failed.status());
    assertThat(JobStatusMachine.unreadable(job, fields, T1)).as("said already: no second write, no second event").isEmpty();

    // Fixed in place (kubectl edit): read whole, the job starts over like any job whose spec problems are gone.
    assertThat(JobStatusMachine.mayStartOver(job)).isTrue();
    job.getMetadata().setGeneration(2L);
    assertThat(step(T1).status().getPhase()).isEqualTo(JobPhase.Pending);
  }

  @Test
  void suspendAndResume() {
    step(T0, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")), TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2")));
    job.getSpec().setSuspend(true);
    StatusTransition suspended = step(T1, TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1")));
    assertThat(suspended.status().getPhase()).isEqualTo(JobPhase.Suspended);
    assertThat(suspended.status().getReadyRanks()).isZero();
    assertThat(condition(suspended.status(), "Suspended").getStatus()).isEqualTo("True");
    assertThat(condition(suspended.status(), "Running").getStatus()).isEqualTo("False");
    assertThat(suspended.events()).extracting(JobEvent::reason).containsExactly("Suspended");

    job.getSpec().setSuspend(false);
    StatusTransition resumed = step(T1.plusSeconds(10));
    assertThat(resumed.status().getPhase()).isEqualTo(JobPhase.Pending);
    assertThat(condition(resumed.status(), "Suspended").getStatus()).isEqualTo("False");
    assertThat(resumed.events()).extracting(JobEvent::reason).containsExactly("Resumed");
  }

  @Test
  void jobCreatedSuspendedHasNoRunningCondition() {
    job.getSpec().setSuspend(true);
    StatusTransition t = step(T0);
    assertThat(t.status().getPhase()).isEqualTo(JobPhase.Suspended);
    assertThat(t.status().getConditions()).extracting(Condition::getType).containsExactly("Suspended");
  }

  @Test
  void podsOfOtherAttemptsOrBeingDeletedDoNotCountAsRanks() {
    job.setStatus(new TrainingJobStatus());
    job.getStatus().setAttempt(2);
    Pod old = TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1"));
    Pod deleting = TestJobs.pod(job, 1, 2, "n2", TestJobs.running("n2"));
    deleting.getMetadata().setDeletionTimestamp(T0.toString());
    GangObservation gang = GangObservation.of(List.of(old, deleting), 2, 2);
    assertThat(gang.missing()).extracting(RankState::rank).containsExactly(0, 1);
    assertThat(gang.otherPods()).containsExactlyInAnyOrder(old, deleting);
  }

  private static Condition condition(TrainingJobStatus status, String type) {
    return JobConditions.find(new ArrayList<>(status.getConditions()), type).orElseThrow(() -> new AssertionError("no condition " + type));
  }

  @Test
  void aBindTimeoutSaysWhyAndRecordsTheNodesToAvoid() {
    step(T0);
    var avoid = List.of(new dev.gangway.api.v1alpha1.AvoidedNode("n2", "BindTimeout", "didn't match pod anti-affinity rules",
        T1.plusSeconds(600).toString()));
    StatusTransition t = JobStatusMachine.next(job, List.of(), GangObservation.of(List.of(), 1, 2),
        PlacementDecision.expired("BindTimeout", "1 of 2 ranks did not bind within 60 s", avoid, List.of(), T1), RecoveryDecision.NONE, T1);
    assertThat(condition(t.status(), "Placed").getStatus()).isEqualTo("False");
    assertThat(condition(t.status(), "Placed").getReason()).isEqualTo("BindTimeout");
    assertThat(t.status().getPlacement().getAvoidedNodes()).isEqualTo(avoid);
    assertThat(t.events()).extracting(JobEvent::reason).contains("BindTimeout");
    job.setStatus(t.status());

    // Later reconciles keep the list until its time is up, then drop it.
    assertThat(step(T1.plusSeconds(599)).status().getPlacement().getAvoidedNodes()).isEqualTo(avoid);
    assertThat(step(T1.plusSeconds(600)).status().getPlacement()).satisfiesAnyOf(
        p -> assertThat(p).isNull(), p -> assertThat(p.getAvoidedNodes()).isNull());
  }
}
