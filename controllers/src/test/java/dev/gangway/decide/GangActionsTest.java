package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.job.TestJobs;
import dev.gangway.observe.GangObservation;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The chaos run's "old attempt beside new" on a deleted node: its pods must not wait for a kubelet that is gone. */
class GangActionsTest {
  private final TrainingJob job = TestJobs.job("llm", 2, 8);
  private final Predicate<String> onlyN1Exists = Set.of("n1")::contains;

  @Test
  void aTornDownAttemptsPodsOnADeletedNodeAreForceDeletedAndTheOthersDeletedGracefully() {
    Pod onLive = TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1"));
    Pod onDeleted = TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2"));
    GangActions actions = GangActions.decide(restarting(), GangObservation.of(List.of(onLive, onDeleted), 1, 2), List.of(onLive, onDeleted),
        onlyN1Exists, List.of(), false);
    assertThat(actions.podsToDelete()).containsExactlyInAnyOrder(onLive, onDeleted);
    assertThat(actions.podsToForceDelete()).containsExactly(onDeleted);
  }

  @Test
  void anOldAttemptsPodStuckTerminatingOnADeletedNodeIsForceDeletedWhileTheNextAttemptStarts() {
    Pod stuck = TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2"));
    stuck.getMetadata().setDeletionTimestamp("2026-11-26T10:00:00Z");
    Pod next = TestJobs.pod(job, 0, 2, "n1", TestJobs.running("n1"));
    TrainingJobStatus status = new TrainingJobStatus();
    status.setPhase(JobPhase.Restarting);
    status.setAttempt(2);
    PinnedRank rank1 = new PinnedRank(1, "n1");
    GangActions actions = GangActions.decide(status, GangObservation.of(List.of(stuck, next), 2, 2), List.of(stuck, next), onlyN1Exists,
        List.of(rank1), false);
    assertThat(actions.podsToDelete()).isEmpty();
    assertThat(actions.podsToForceDelete()).containsExactly(stuck);
    assertThat(actions.ranksToCreate()).containsExactly(rank1);
  }

  @Test
  void nothingIsForcedWhileEveryNodeExists() {
    Pod a = TestJobs.pod(job, 0, 1, "n1", TestJobs.running("n1"));
    Pod b = TestJobs.pod(job, 1, 1, "n2", TestJobs.running("n2"));
    b.getMetadata().setDeletionTimestamp("2026-11-26T10:00:00Z");
    GangActions actions = GangActions.decide(restarting(), GangObservation.of(List.of(a, b), 1, 2), List.of(a, b), node -> true, List.of(), false);
    assertThat(actions.podsToForceDelete()).isEmpty();
  }

  @Test
  void placedRanksAreCreatedOnlyWhileTheJobMayRunAndNothingIsCreatedWithoutAPlacement() {
    PinnedRank rank0 = new PinnedRank(0, "n1");
    GangObservation none = GangObservation.of(List.of(), 1, 2);
    TrainingJobStatus pending = new TrainingJobStatus();
    pending.setPhase(JobPhase.Pending);
    assertThat(GangActions.decide(pending, none, List.of(), node -> true, List.of(rank0), false).ranksToCreate()).containsExactly(rank0);
    assertThat(GangActions.decide(pending, none, List.of(), node -> true, List.of(), false).ranksToCreate()).isEmpty();
    TrainingJobStatus suspended = new TrainingJobStatus();
    suspended.setPhase(JobPhase.Suspended);
    assertThat(GangActions.decide(suspended, none, List.of(), node -> true, List.of(rank0), false).ranksToCreate()).isEmpty();
    assertThat(GangActions.decide(restarting(), none, List.of(), node -> true, List.of(rank0), false).ranksToCreate()).isEmpty();
  }

  @Test
  void aGangThatCouldNeverFitGetsNoRanksServiceOrHostfile() {
    TrainingJobStatus pending = new TrainingJobStatus();
    pending.setPhase(JobPhase.Pending);
    GangActions actions = GangActions.decide(pending, GangObservation.of(List.of(), 1, 1_000_000), List.of(), node -> true, List.of(), true);
    assertThat(actions.ranksToCreate()).isEmpty();
    assertThat(actions.ensureSharedObjects()).isFalse();
    assertThat(GangActions.decide(pending, GangObservation.of(List.of(), 1, 2), List.of(), node -> true, List.of(), false)
        .ensureSharedObjects()).as("a gang that could fit gets its Service while it waits").isTrue();
  }

  private static TrainingJobStatus restarting() {
    TrainingJobStatus status = new TrainingJobStatus();
    status.setPhase(JobPhase.Restarting);
    status.setAttempt(1);
    status.setNextRestartTime("2026-11-26T10:00:10Z");
    return status;
  }
}
