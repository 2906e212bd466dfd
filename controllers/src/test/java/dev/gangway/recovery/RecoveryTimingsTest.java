package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecoveryTimingsTest {
  static final Instant FAILED = Instant.parse("2026-11-02T10:00:00Z");

  static Instant at(long seconds) {
    return FAILED.plusSeconds(seconds);
  }

  @Test
  void splitsARecoveryIntoDetectionReplacementRecoveryAndLostWork() {
    RecoveryTimings t = RecoveryTimings.of(FAILED, at(4), at(14), at(20), at(95), at(-1800), at(-7200));
    assertThat(t.detection()).isEqualTo(Duration.ofSeconds(4));
    assertThat(t.replacement()).isEqualTo(Duration.ofSeconds(6));
    assertThat(t.recovery()).isEqualTo(Duration.ofSeconds(95));
    assertThat(t.lostWork()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void workBeforeTheFailedAttemptStartedIsNotCountedAgain() {
    // Resumed from a checkpoint 2 h old, the attempt ran 10 min: only those 10 min are lost now.
    RecoveryTimings t = RecoveryTimings.of(FAILED, at(1), at(1), at(2), at(3), at(-7200), at(-600));
    assertThat(t.lostWorkSeconds()).isEqualTo(600);
  }

  @Test
  void withoutACheckpointTheWholeAttemptIsLost() {
    assertThat(RecoveryTimings.of(FAILED, null, null, null, null, null, at(-3600)).lostWorkSeconds()).isEqualTo(3600);
  }

  @Test
  void unknownMilestonesGiveNullAndClockSkewGivesZero() {
    RecoveryTimings t = RecoveryTimings.of(FAILED, at(-2), null, at(5), null, null, null);
    assertThat(t.detection()).isZero();
    assertThat(t.replacement()).isNull();
    assertThat(t.recoverySeconds()).isNull();
    assertThat(t.lostWork()).isNull();
  }

  @Test
  void secondsAreRounded() {
    RecoveryTimings t = RecoveryTimings.of(FAILED, FAILED.plusMillis(2600), null, null, null, null, null);
    assertThat(t.detectionSeconds()).isEqualTo(3);
  }
}
