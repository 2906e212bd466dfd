package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryStatusTest {
  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");

  static RestartPlan.Restart restart(int failedAttempt, boolean infrastructure, List<String> exclude) {
    RestartRecord r = new RestartRecord();
    r.setAttempt(failedAttempt);
    r.setTime(NOW.toString());
    List<NodeExclusion> exclusions = exclude.stream()
        .map(n -> new NodeExclusion(n, "NodeLost", failedAttempt, NOW.toString(), NOW.plusSeconds(3600).toString())).toList();
    return new RestartPlan.Restart(NOW.plusSeconds(10), Duration.ofSeconds(10), failedAttempt + 1, exclusions, null, infrastructure, r,
        "m", null);
  }

  @Test
  void recordingARestartCountsItInTheRightBudget() {
    TrainingJobStatus status = new TrainingJobStatus();
    assertThat(RecoveryStatus.recordRestart(status, restart(1, false, List.of("a")))).isTrue();
    assertThat(RecoveryStatus.recordRestart(status, restart(2, true, List.of("a", "b")))).isTrue();
    assertThat(status.getRestarts()).isEqualTo(1);
    assertThat(status.getInfrastructureRestarts()).isEqualTo(1);
    assertThat(status.getExcludedNodes()).containsExactly("a", "b");
    assertThat(status.getNodeExclusions()).extracting(NodeExclusion::getNode, NodeExclusion::getUntil)
        .containsExactly(tuple("a", "2026-11-02T11:00:00Z"), tuple("b", "2026-11-02T11:00:00Z"));
    assertThat(status.getNextRestartTime()).isEqualTo("2026-11-02T10:00:10Z");
    assertThat(status.getAttempt()).as("the caller moves the attempt when it starts the gang").isNull();
  }

  @Test
  void recordingTheSameAttemptsRestartTwiceChangesNothing() {
    TrainingJobStatus status = new TrainingJobStatus();
    RecoveryStatus.recordRestart(status, restart(1, false, List.of()));
    assertThat(RecoveryStatus.recordRestart(status, restart(1, false, List.of()))).isFalse();
    assertThat(status.getRestarts()).isEqualTo(1);
    assertThat(status.getRestartHistory()).hasSize(1);
  }

  @Test
  void historyKeepsTheNewestTen() {
    TrainingJobStatus status = new TrainingJobStatus();
    for (int attempt = 1; attempt <= 14; attempt++) {
      RecoveryStatus.recordRestart(status, restart(attempt, true, List.of()));
    }
    assertThat(status.getRestartHistory()).hasSize(RecoveryStatus.HISTORY_LIMIT)
        .extracting(RestartRecord::getAttempt).containsExactly(5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    assertThat(status.getExcludedNodes()).isNull();
    assertThat(status.getNodeExclusions()).isNull();
  }

  @Test
  void recoveredSetsTimingsAndTheLastRestartsRecoveryTime() {
    TrainingJobStatus status = new TrainingJobStatus();
    RecoveryStatus.recordRestart(status, restart(1, true, List.of()));
    RecoveryTimings t = RecoveryTimings.of(NOW, NOW.plusSeconds(3), NOW.plusSeconds(3), NOW.plusSeconds(20), NOW.plusSeconds(75),
        NOW.minusSeconds(900), NOW.minusSeconds(3600));
    RecoveryStatus.recordRecovered(status, t);
    assertThat(status.getNextRestartTime()).isNull();
    assertThat(status.getTimings().getLastDetectionSeconds()).isEqualTo(3);
    assertThat(status.getTimings().getLastRecoverySeconds()).isEqualTo(75);
    assertThat(status.getTimings().getLastLostWorkSeconds()).isEqualTo(900);
    assertThat(status.getRestartHistory().get(0).getRecoverySeconds()).isEqualTo(75);
  }
}
