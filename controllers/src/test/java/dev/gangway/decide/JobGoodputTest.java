package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.goodput.Bucket;
import dev.gangway.goodput.GoodputAccount;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** status.goodput read from the status facts a reconcile sees: phase, conditions, restart records, checkpoints. */
class JobGoodputTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final int GPUS = 16;

  private static Instant t(long seconds) {
    return Instant.parse("2026-12-01T00:00:00Z").plusSeconds(seconds);
  }

  private static TrainingJobStatus status(JobPhase phase, int attempt, Condition... conditions) {
    TrainingJobStatus s = new TrainingJobStatus();
    s.setPhase(phase);
    s.setAttempt(attempt);
    s.setGpus(GPUS);
    s.setConditions(new ArrayList<>(List.of(conditions)));
    return s;
  }

  private static Condition condition(String type, boolean status, String reason, long since) {
    return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
        .withLastTransitionTime(t(since).toString()).build();
  }

  private static TrainingJobStatus running(long since, GoodputStatus goodput) {
    TrainingJobStatus s = status(JobPhase.Running, 1, condition(JobConditions.PLACED, true, "Placed", 0),
        condition(JobConditions.RUNNING, true, "AllRanksRunning", since));
    s.setGoodput(goodput);
    return s;
  }

  private static GoodputStatus account(long updatedAt, Bucket bucket, long gpuSeconds) {
    return GoodputAccount.opened(t(updatedAt - gpuSeconds / GPUS)).charge(bucket, GPUS, t(updatedAt)).toStatus();
  }

  private static TrainingJobStatus copy(TrainingJobStatus s) {
    return SERIALIZATION.clone(s);
  }

  @Test
  void aJobNotYetPlacedHoldsNothingAndHasNoGoodput() {
    TrainingJobStatus stored = status(JobPhase.Pending, 1, condition(JobConditions.PLACED, false, "InsufficientCapacity", 0));
    TrainingJobStatus next = copy(stored);
    next.setReady("0/2");
    assertThat(JobGoodput.next(stored, next, t(30))).isNull();
    assertThat(JobGoodput.refreshIn(next, t(30))).isNull();
  }

  @Test
  void countingStartsWhenTheGangIsPlaced() {
    TrainingJobStatus stored = status(JobPhase.Pending, 1);
    TrainingJobStatus next = status(JobPhase.Pending, 1, condition(JobConditions.PLACED, true, "Placed", 40));
    GoodputStatus opened = JobGoodput.next(stored, next, t(40));
    assertThat(opened.getHeldGpuSeconds()).isZero();
    assertThat(opened.getRatio()).isNull();
    assertThat(opened.getUpdatedTime()).isEqualTo(t(40).toString());
  }

  @Test
  void aRunningJobWithoutGoodputOpensItsAccountEvenWhenNothingElseChanges() {
    TrainingJobStatus stored = running(0, null);
    GoodputStatus opened = JobGoodput.next(stored, copy(stored), t(500));
    assertThat(opened).isNotNull();
    assertThat(opened.getUpdatedTime()).isEqualTo(t(500).toString());
  }

  @Test
  void theStartUpAfterPlacementIsRestartTimeAndRunningIsUseful() {
    TrainingJobStatus placed = status(JobPhase.Pending, 1, condition(JobConditions.PLACED, true, "Placed", 0));
    placed.setGoodput(GoodputAccount.opened(t(0)).toStatus());
    TrainingJobStatus next = running(10, placed.getGoodput());
    GoodputStatus started = JobGoodput.next(placed, next, t(10));
    assertThat(started.getLostGpuSeconds().getRestart()).isEqualTo(10 * GPUS);
    assertThat(started.getRatio()).isEqualTo(0.0);

    TrainingJobStatus stored = running(10, started);
    GoodputStatus later = JobGoodput.next(stored, copy(stored), t(10).plus(JobGoodput.REFRESH));
    assertThat(later.getUsefulGpuSeconds()).isEqualTo(60 * GPUS);
    assertThat(later.getSinceCheckpointGpuSeconds()).isEqualTo(60 * GPUS);
    assertThat(later.getRatio()).isEqualTo(0.8571);
  }

  @Test
  void anUnchangedStatusKeepsItsGoodputUntilTheRefreshIsDue() {
    GoodputStatus goodput = account(100, Bucket.USEFUL, 100 * GPUS);
    TrainingJobStatus stored = running(0, goodput);
    assertThat(JobGoodput.next(stored, copy(stored), t(130))).isSameAs(goodput);
    assertThat(JobGoodput.refreshIn(stored, t(130))).isEqualTo(Duration.ofSeconds(30));
    assertThat(JobGoodput.next(stored, copy(stored), t(160)).getUsefulGpuSeconds()).isEqualTo(160 * GPUS);
  }

  @Test
  void aStatusWrittenAnywayCarriesFreshGoodput() {
    TrainingJobStatus stored = running(0, account(100, Bucket.USEFUL, 100 * GPUS));
    TrainingJobStatus next = copy(stored);
    next.setReady("2/2");
    assertThat(JobGoodput.next(stored, next, t(110)).getUsefulGpuSeconds()).isEqualTo(110 * GPUS);
  }

  @Test
  void aRestartSplitsTheFailedAttemptByTheRecordsTimesAndTheAttemptsCheckpoint() {
    TrainingJobStatus stored = running(0, account(90, Bucket.USEFUL, 90 * GPUS));
    CheckpointStatus checkpoint = new CheckpointStatus();
    checkpoint.setAttempt(1);
    checkpoint.setTime(t(60).toString());
    stored.setLastCheckpoint(checkpoint);
    TrainingJobStatus next = copy(stored);
    next.setPhase(JobPhase.Restarting);
    next.setConditions(List.of(condition(JobConditions.RUNNING, false, "RankFailed", 100),
        condition(JobConditions.RESTARTING, true, "RankFailed", 100)));
    RestartRecord record = new RestartRecord();
    record.setAttempt(1);
    record.setCause("RankFailed");
    record.setTime(t(95).toString());
    record.setDetectedTime(t(100).toString());
    next.setRestartHistory(List.of(record));

    GoodputStatus g = JobGoodput.next(stored, next, t(100));
    assertThat(g.getUsefulGpuSeconds()).isEqualTo(60 * GPUS);
    assertThat(g.getLostGpuSeconds().getLostWork()).isEqualTo(35 * GPUS);
    assertThat(g.getLostGpuSeconds().getDetection()).isEqualTo(5 * GPUS);
    assertThat(g.getSinceCheckpointGpuSeconds()).isZero();
    assertThat(g.getHeldGpuSeconds()).isEqualTo(100 * GPUS);
  }

  /** Attempt 1's checkpoint of 95 s, the first to count an in-place restart, at 70 s. */
  private static CheckpointStatus restartedInPlaceAt70() {
    CheckpointStatus reported = new CheckpointStatus();
    reported.setAttempt(1);
    reported.setStep(200L);
    reported.setTime(t(95).toString());
    reported.setInPlaceRestarts(1);
    reported.setInPlaceRestartTime(t(70).toString());
    return reported;
  }

  @Test
  void aRestartInPlaceLosesTheTrainingFromTheCheckpointItResumedFromToTheRestartOnce() {
    TrainingJobStatus stored = running(0, account(100, Bucket.USEFUL, 100 * GPUS));
    CheckpointStatus reported = restartedInPlaceAt70();
    reported.setResumedFromTime(t(40).toString());
    // As the HTTP intake stores it: the checkpoint is in the stored status before the reconcile counts the restart.
    stored.setLastCheckpoint(reported);
    TrainingJobStatus next = copy(stored);
    next.setInPlaceRestarts(1);

    GoodputStatus g = JobGoodput.next(stored, next, t(100));
    assertThat(g.getLostGpuSeconds().getLostWork()).isEqualTo(30 * GPUS);
    assertThat(g.getUsefulGpuSeconds()).isEqualTo(70 * GPUS);
    assertThat(g.getSinceCheckpointGpuSeconds()).isEqualTo(5 * GPUS);
    assertThat(g.getHeldGpuSeconds()).isEqualTo(100 * GPUS);

    TrainingJobStatus counted = copy(next);
    counted.setGoodput(g);
    TrainingJobStatus refreshed = copy(counted);
    refreshed.setReady("2/2");
    assertThat(JobGoodput.next(counted, refreshed, t(110)).getLostGpuSeconds().getLostWork())
        .as("charged once: the stored status counts the restart now").isEqualTo(30 * GPUS);
  }

  @Test
  void aRestartInPlaceWithoutACheckpointBeforeItLosesTheAttemptUpToItAndOneWithoutATimeLosesNothing() {
    TrainingJobStatus stored = running(10, account(100, Bucket.USEFUL, 100 * GPUS));
    CheckpointStatus reported = restartedInPlaceAt70();
    TrainingJobStatus next = copy(stored);
    next.setLastCheckpoint(reported);
    next.setInPlaceRestarts(1);
    assertThat(JobGoodput.next(stored, next, t(100)).getLostGpuSeconds().getLostWork())
        .as("from the attempt's Running at 10 s").isEqualTo(60 * GPUS);

    reported.setInPlaceRestartTime(null);
    assertThat(JobGoodput.next(stored, next, t(100)).getLostGpuSeconds().getLostWork()).as("the report did not say when").isZero();
  }

  @Test
  void aRestartingGangIsRestartTimeUntilItWaitsForCapacity() {
    TrainingJobStatus backingOff = status(JobPhase.Restarting, 1, condition(JobConditions.PLACED, false, "RankFailed", 0));
    backingOff.setGoodput(account(100, Bucket.USEFUL, 100 * GPUS));
    TrainingJobStatus waiting = status(JobPhase.Restarting, 2, condition(JobConditions.PLACED, false, "InsufficientCapacity", 130));
    GoodputStatus afterBackoff = JobGoodput.next(backingOff, waiting, t(130));
    assertThat(afterBackoff.getLostGpuSeconds().getRestart()).isEqualTo(30 * GPUS);

    waiting.setGoodput(afterBackoff);
    TrainingJobStatus placed = status(JobPhase.Restarting, 2, condition(JobConditions.PLACED, true, "Placed", 200));
    GoodputStatus afterWait = JobGoodput.next(waiting, placed, t(200));
    assertThat(afterWait.getLostGpuSeconds().getWaitingForCapacity()).isEqualTo(70 * GPUS);
    assertThat(afterWait.getLostGpuSeconds().getRestart()).isEqualTo(30 * GPUS);
  }

  @Test
  void holdingOutForATighterPlacementIsWaitingForCapacity() {
    TrainingJobStatus holdingOut = status(JobPhase.Restarting, 2, condition(JobConditions.PLACED, false, "WaitingForTighterPlacement", 100));
    holdingOut.setGoodput(account(100, Bucket.USEFUL, 100 * GPUS));
    TrainingJobStatus placed = status(JobPhase.Restarting, 2, condition(JobConditions.PLACED, true, "Placed", 130));
    GoodputStatus after = JobGoodput.next(holdingOut, placed, t(130));
    assertThat(after.getLostGpuSeconds().getWaitingForCapacity()).isEqualTo(30 * GPUS);
    assertThat(after.getLostGpuSeconds().getRestart()).isZero();
  }

  @Test
  void successKeepsTheLastAttemptsWorkAndFinishedJobsStopCounting() {
    TrainingJobStatus stored = running(0, account(100, Bucket.USEFUL, 100 * GPUS));
    TrainingJobStatus done = copy(stored);
    done.setPhase(JobPhase.Succeeded);
    GoodputStatus g = JobGoodput.next(stored, done, t(120));
    assertThat(g.getUsefulGpuSeconds()).isEqualTo(120 * GPUS);
    assertThat(g.getSinceCheckpointGpuSeconds()).isZero();
    assertThat(g.getRatio()).isEqualTo(1.0);

    done.setGoodput(g);
    assertThat(JobGoodput.refreshIn(done, t(500))).isNull();
    TrainingJobStatus touched = copy(done);
    touched.setReady("0/2");
    assertThat(JobGoodput.next(done, touched, t(5000)).getHeldGpuSeconds()).isEqualTo(120 * GPUS);
  }

  @Test
  void aTerminalFailureLosesTheWorkSinceTheLastCheckpoint() {
    TrainingJobStatus stored = running(0, account(100, Bucket.USEFUL, 100 * GPUS));
    TrainingJobStatus failed = copy(stored);
    failed.setPhase(JobPhase.Failed);
    GoodputStatus g = JobGoodput.next(stored, failed, t(100));
    assertThat(g.getLostGpuSeconds().getLostWork()).isEqualTo(100 * GPUS);
    assertThat(g.getRatio()).isEqualTo(0.0);
  }

  @Test
  void aRestartRecordOfAnotherAttemptDoesNotDateThisFailure() {
    // A repeated reconcile: the history's last record is an older attempt's, so the failure is dated by the decision.
    TrainingJobStatus stored = status(JobPhase.Running, 2, condition(JobConditions.RUNNING, true, "AllRanksRunning", 0));
    stored.setGoodput(account(100, Bucket.USEFUL, 100 * GPUS));
    RestartRecord old = new RestartRecord();
    old.setAttempt(1);
    old.setTime(t(-500).toString());
    stored.setRestartHistory(List.of(old));
    TrainingJobStatus failed = copy(stored);
    failed.setPhase(JobPhase.Failed);
    GoodputStatus g = JobGoodput.next(stored, failed, t(100));
    assertThat(g.getLostGpuSeconds().getDetection()).isZero();
    assertThat(g.getLostGpuSeconds().getLostWork()).isEqualTo(100 * GPUS);
  }
}
