package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A big gang's reconciles wait for the interval after the previous one; small gangs never wait. */
class ReconcileBatchingTest {
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  private final ReconcileBatching batching = new ReconcileBatching();

  @Test
  void theIntervalGrowsWithTheGangUpToASecond() {
    assertThat(ReconcileBatching.interval(2)).isZero();
    assertThat(ReconcileBatching.interval(99)).isZero();
    assertThat(ReconcileBatching.interval(100)).isEqualTo(Duration.ofMillis(50));
    assertThat(ReconcileBatching.interval(1000)).isEqualTo(Duration.ofMillis(500));
    assertThat(ReconcileBatching.interval(2000)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ReconcileBatching.interval(1_000_000)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aReconcileWithinTheIntervalWaitsForItsEnd() {
    assertThat(batching.wait("big", 2000, T0)).as("never reconciled").isNull();
    batching.ran("big", T0);
    assertThat(batching.wait("big", 2000, T0.plusMillis(300))).isEqualTo(Duration.ofMillis(700));
    assertThat(batching.wait("big", 2000, T0.plusSeconds(1))).isNull();
    batching.ran("small", T0);
    assertThat(batching.wait("small", 8, T0)).isNull();
  }

  @Test
  void oldReconcilesAreForgotten() {
    batching.ran("big", T0);
    batching.forgetOlderThan(Duration.ofSeconds(30), T0.plusSeconds(31));
    assertThat(batching.wait("big", 2000, T0.plusSeconds(31))).isNull();
    batching.ran("big", T0.plusSeconds(31));
    batching.forgetOlderThan(Duration.ofSeconds(30), T0.plusSeconds(31));
    assertThat(batching.wait("big", 2000, T0.plusSeconds(31))).isNotNull();
  }
}
