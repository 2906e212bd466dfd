package dev.gangway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class CheckpointLedgerTest {
  static final Instant T = Instant.parse("2026-11-02T10:00:00Z");
  static final String UID = "uid-1";

  static CheckpointReport report(String uid, int attempt, long step) {
    return new CheckpointReport("ml", "llm", uid, attempt, step, "/ckpt/step-" + step, T);
  }

  static CheckpointStatus last(long step) {
    CheckpointStatus s = new CheckpointStatus();
    s.setStep(step);
    s.setPath("/ckpt/step-" + step);
    return s;
  }

  /** Columns: intent, report, current attempt, last accepted, accepted?, reason fragment. */
  static Stream<Arguments> table() {
    return Stream.of(
        arguments("first checkpoint of the job", report(UID, 1, 100), 1, null, true, null),
        arguments("a later step", report(UID, 2, 1300), 2, last(1200), true, null),
        arguments("step 0 is a checkpoint too", report(UID, 1, 0), 1, null, true, null),
        arguments("another job's uid (re-created with the same name)", report("uid-0", 1, 5000), 1, last(100), false, "uid uid-0"),
        arguments("the same step again", report(UID, 2, 1200), 2, last(1200), false, "not beyond the last accepted step 1200"),
        arguments("an earlier step", report(UID, 2, 1100), 2, last(1200), false, "not beyond"),
        arguments("an older attempt's late report", report(UID, 1, 1300), 2, last(1200), false, "torn down"),
        arguments("an attempt not started yet", report(UID, 3, 1300), 2, last(1200), false, "attempt 3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void judgesReports(String intent, CheckpointReport report, int attempt, CheckpointStatus lastAccepted, boolean accepted, String reason) {
    CheckpointLedger.Verdict v = CheckpointLedger.judge(report, UID, attempt, lastAccepted);
    assertThat(v.accepted()).as(intent).isEqualTo(accepted);
    if (reason != null) {
      assertThat(((CheckpointLedger.Rejected) v).reason()).as(intent).contains(reason);
    }
  }

  @Test
  void anAcceptedReportBecomesTheLastCheckpoint() {
    CheckpointLedger.Verdict v = CheckpointLedger.judge(report(UID, 2, 1300), UID, 2, last(1200));
    CheckpointStatus s = ((CheckpointLedger.Accepted) v).lastCheckpoint();
    assertThat(s.getStep()).isEqualTo(1300);
    assertThat(s.getPath()).isEqualTo("/ckpt/step-1300");
    assertThat(s.getAttempt()).isEqualTo(2);
    assertThat(s.getTime()).isEqualTo("2026-11-02T10:00:00Z");
  }

  @Test
  void theLastCheckpointCarriesTheReportsInPlaceRestartsAndNoneForZero() {
    CheckpointReport counted = new CheckpointReport("ml", "llm", UID, 2, 1300, "/ckpt/step-1300", null, 2,
        Instant.parse("2026-11-02T09:41:07Z"));
    CheckpointStatus stored = ((CheckpointLedger.Accepted) CheckpointLedger.judge(counted, UID, 2, last(1200))).lastCheckpoint();
    assertThat(stored.getInPlaceRestarts()).isEqualTo(2);
    assertThat(stored.getInPlaceRestartTime()).isEqualTo("2026-11-02T09:41:07Z");
    assertThat(((CheckpointLedger.Accepted) CheckpointLedger.judge(report(UID, 2, 1300), UID, 2, last(1200))).lastCheckpoint()
        .getInPlaceRestarts()).isNull();
    CheckpointReport timeWithoutRestart = new CheckpointReport("ml", "llm", UID, 2, 1300, "/ckpt/step-1300", null, 0,
        Instant.parse("2026-11-02T09:41:07Z"));
    assertThat(((CheckpointLedger.Accepted) CheckpointLedger.judge(timeWithoutRestart, UID, 2, last(1200))).lastCheckpoint()
        .getInPlaceRestartTime()).as("no restart, nothing to date").isNull();
  }

  @Test
  void aRestartInPlaceResumedFromTheAttemptsLastCheckpointBeforeIt() {
    CheckpointStatus before = last(1200);
    before.setAttempt(2);
    before.setTime("2026-11-02T09:30:00Z");
    Instant restarted = Instant.parse("2026-11-02T09:41:07Z");
    CheckpointStatus first = accepted(new CheckpointReport("ml", "llm", UID, 2, 1300, "/ckpt/step-1300", T, 1, restarted), before);
    assertThat(first.getResumedFromTime()).isEqualTo("2026-11-02T09:30:00Z");

    CheckpointStatus again = accepted(new CheckpointReport("ml", "llm", UID, 2, 1400, "/ckpt/step-1400", T.plusSeconds(600), 1, restarted), first);
    assertThat(again.getResumedFromTime()).as("the same restart counted again keeps what it resumed from").isEqualTo("2026-11-02T09:30:00Z");

    CheckpointStatus second = accepted(new CheckpointReport("ml", "llm", UID, 2, 1500, "/ckpt/step-1500", T.plusSeconds(1200), 2,
        T.plusSeconds(900)), again);
    assertThat(second.getResumedFromTime()).as("a second restart resumed from the checkpoint after the first").isEqualTo(again.getTime());

    CheckpointStatus ofAnotherAttempt = last(1200);
    ofAnotherAttempt.setAttempt(1);
    ofAnotherAttempt.setTime("2026-11-02T09:00:00Z");
    assertThat(accepted(new CheckpointReport("ml", "llm", UID, 2, 1300, "/ckpt/step-1300", T, 1, restarted), ofAnotherAttempt)
        .getResumedFromTime()).as("no checkpoint of this attempt: it started over").isNull();
  }

  private static CheckpointStatus accepted(CheckpointReport report, CheckpointStatus lastAccepted) {
    return ((CheckpointLedger.Accepted) CheckpointLedger.judge(report, UID, report.attempt(), lastAccepted)).lastCheckpoint();
  }

  @Test
  void aJobWithoutStatusIsOnAttemptOneWithNoCheckpointAndAJobWithStatusIsJudgedByIt() {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withName("llm").withNamespace("ml").withUid(UID).build());
    assertThat(CheckpointLedger.judge(report(UID, 1, 0), job).accepted()).isTrue();
    assertThat(CheckpointLedger.judge(report(UID, 2, 0), job).accepted()).isFalse();

    TrainingJobStatus status = new TrainingJobStatus();
    status.setAttempt(2);
    status.setLastCheckpoint(last(1200));
    job.setStatus(status);
    assertThat(CheckpointLedger.judge(report(UID, 2, 1300), job).accepted()).isTrue();
    assertThat(CheckpointLedger.judge(report(UID, 2, 1200), job)).isInstanceOf(CheckpointLedger.Rejected.class);
  }
}
