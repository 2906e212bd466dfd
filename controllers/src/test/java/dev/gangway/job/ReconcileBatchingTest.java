package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A big gang's reconciles wait for the interval after the previous one; small gangs never wait. */
class ReconcileBatchingTest {
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  private final ReconcileBatching batching = new ReconcileBatching();

  @Test
  void theIntervalGrowsWithTheGangUpToASecond() {
    assertThat(batching.interval(2)).isZero();
    assertThat(batching.interval(99)).isZero();
    assertThat(batching.interval(100)).isEqualTo(Duration.ofMillis(50));
    assertThat(batching.interval(1000)).isEqualTo(Duration.ofMillis(500));
    assertThat(batching.interval(2000)).isEqualTo(Duration.ofSeconds(1));
    assertThat(batching.interval(1_000_000)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aReconcileWithinTheIntervalWaitsForItsEnd() {
    assertThat(batching.wait("big", T0)).as("never reconciled").isNull();
    batching.ran("big", 2000, T0);
    assertThat(batching.wait("big", T0.plusMillis(300))).isEqualTo(Duration.ofMillis(700));
    assertThat(batching.wait("big", T0.plusSeconds(1))).isNull();
    batching.ran("small", 8, T0);
    assertThat(batching.wait("small", T0)).isNull();
  }

  @Test
  void oldReconcilesAreForgotten() {
    batching.ran("big", 2000, T0);
    batching.forgetOlderThan(Duration.ofSeconds(30), T0.plusSeconds(31));
    assertThat(batching.wait("big", T0.plusSeconds(31))).isNull();
    batching.ran("big", 2000, T0.plusSeconds(31));
    batching.forgetOlderThan(Duration.ofSeconds(30), T0.plusSeconds(31));
    assertThat(batching.wait("big", T0.plusSeconds(31))).isNotNull();
  }

  @Test
  void podEventsInsideABigGangsWindowAreHeldWithOneWakeAtItsEnd() {
    List<Duration> wakes = new ArrayList<>();
    assertThat(batching.takes("big", T0, wakes::add)).as("never reconciled").isTrue();
    batching.ran("big", 2000, T0);
    assertThat(batching.takes("big", T0.plusMillis(300), wakes::add)).isFalse();
    assertThat(batching.takes("big", T0.plusMillis(600), wakes::add)).isFalse();
    assertThat(wakes).as("one wake for the window, at its end").containsExactly(Duration.ofMillis(700));
    assertThat(batching.takes("big", T0.plusSeconds(1), wakes::add)).as("the window is over").isTrue();

    batching.ran("big", 2000, T0.plusMillis(1500));
    assertThat(batching.takes("big", T0.plusMillis(1600), wakes::add)).isFalse();
    assertThat(wakes).as("a new window, a new wake").containsExactly(Duration.ofMillis(700), Duration.ofMillis(900));
  }

  @Test
  void smallGangsTakeEveryPodEvent() {
    List<Duration> wakes = new ArrayList<>();
    batching.ran("small", 99, T0);
    assertThat(batching.takes("small", T0, wakes::add)).isTrue();
    assertThat(wakes).isEmpty();
  }
}
