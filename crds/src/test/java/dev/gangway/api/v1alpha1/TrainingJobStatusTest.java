package dev.gangway.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The reconciler skips status writes when the new status equals the old one: every field must take part. */
class TrainingJobStatusTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  static Stream<Consumer<TrainingJobStatus>> recoveryFieldChanges() {
    return Stream.of(
        s -> s.setInfrastructureRestarts(2),
        s -> s.setExcludedNodes(new ArrayList<>(List.of("node-a", "node-c"))),
        s -> s.getRestartHistory().get(0).setRecoverySeconds(99L),
        s -> s.setNextRestartTime("2026-11-02T10:00:40Z"),
        s -> s.getTimings().setLastLostWorkSeconds(1L));
  }

  @ParameterizedTest
  @MethodSource("recoveryFieldChanges")
  void aChangedRecoveryFieldMakesTheStatusDiffer(Consumer<TrainingJobStatus> change) {
    TrainingJobStatus before = sample();
    TrainingJobStatus after = JSON.clone(before);
    assertThat(after).isEqualTo(before).hasSameHashCodeAs(before);
    change.accept(after);
    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void recoveryFieldsSurviveAJsonRoundTrip() {
    TrainingJobStatus status = sample();
    TrainingJobStatus read = JSON.unmarshal(JSON.asJson(status), TrainingJobStatus.class);
    assertThat(read).isEqualTo(status);
    assertThat(read.getRestartHistory().get(0).getCause()).isEqualTo("NodeLost");
  }

  @Test
  void aStatusWithoutRecoveryFieldsSerialisesWithoutThem() {
    assertThat(JSON.asJson(new TrainingJobStatus())).doesNotContain("excludedNodes", "restartHistory", "timings");
  }

  private static TrainingJobStatus sample() {
    TrainingJobStatus s = new TrainingJobStatus();
    s.setInfrastructureRestarts(1);
    s.setExcludedNodes(new ArrayList<>(List.of("node-a")));
    RestartRecord r = new RestartRecord();
    r.setTime("2026-11-02T10:00:00Z");
    r.setCause("NodeLost");
    r.setRank(3);
    r.setNode("node-a");
    r.setAttempt(1);
    r.setResumedFrom("/ckpt/step-1200");
    s.setRestartHistory(new ArrayList<>(List.of(r)));
    s.setNextRestartTime("2026-11-02T10:00:10Z");
    RecoveryTimingStatus t = new RecoveryTimingStatus();
    t.setLastDetectionSeconds(4L);
    t.setLastRecoverySeconds(70L);
    t.setLastLostWorkSeconds(600L);
    s.setTimings(t);
    return s;
  }
}
