package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionRefusalsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

  @Test
  void eachRefusalInARowDoublesTheWaitUpToFiveMinutesAndAnAdmittedGangStartsOver() {
    AdmissionRefusals refusals = new AdmissionRefusals();
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      waits.add(Duration.between(T0, refusals.refused("ml/llm", 1, "a rank pod", "denied", T0).retryAt()).toSeconds());
    }
    assertThat(waits).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L, 300L);
    assertThat(refusals.waiting("ml/llm", T0.plusSeconds(299))).isPresent();
    assertThat(refusals.waiting("ml/llm", T0.plusSeconds(300))).as("due at the retry time").isEmpty();

    refusals.retryNow("ml/llm", T0.plusSeconds(1));
    assertThat(refusals.waiting("ml/llm", T0.plusSeconds(1))).as("the spec changed: no wait").isEmpty();
    assertThat(refusals.refused("ml/llm", 1, "a rank pod", "denied", T0).inARow()).as("still in a row").isEqualTo(9);

    refusals.admitted("ml/llm");
    assertThat(refusals.refused("ml/llm", 1, "a rank pod", "denied", T0).inARow()).isEqualTo(1);
  }
}
