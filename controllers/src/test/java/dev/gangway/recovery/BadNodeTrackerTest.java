package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BadNodeTrackerTest {
  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
  static final FailureClassifier CLASSIFIER = new FailureClassifier(Duration.ofSeconds(60));

  static Classification crashOn(String node, Instant at) {
    return CLASSIFIER.classify(new Failure(0, "p", NodeStatus.ready(node), 1, "Error", Set.of(), at, null), List.of(), at);
  }

  @Test
  void flagsANodeWhenThreeJobsFailOnItWithinTheWindow() {
    BadNodeTracker tracker = new BadNodeTracker(3, Duration.ofHours(1));
    assertThat(tracker.record(crashOn("gpu-1", NOW), "job-a")).isFalse();
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(600)), "job-b")).isFalse();
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(1200)), "job-c")).isTrue();
    assertThat(tracker.isFlagged("gpu-1")).isTrue();
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(1300)), "job-d")).as("already flagged").isFalse();
    assertThat(tracker.flagged()).containsExactly("gpu-1");
  }

  @Test
  void aRestoredFlagHoldsWithoutFailuresUntilCleared() {
    BadNodeTracker tracker = new BadNodeTracker(3, Duration.ofHours(1));
    assertThat(tracker.restore("gpu-1")).isTrue();
    assertThat(tracker.restore("gpu-1")).as("already flagged").isFalse();
    assertThat(tracker.isFlagged("gpu-1")).isTrue();
    assertThat(tracker.failures("gpu-1", NOW)).isZero();
    tracker.clear("gpu-1");
    assertThat(tracker.flagged()).isEmpty();
  }

  @Test
  void oneJobCountsOnceHoweverOftenItFailsOnTheNode() {
    BadNodeTracker tracker = new BadNodeTracker(2, Duration.ofHours(1));
    tracker.record(crashOn("gpu-1", NOW), "job-a");
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(1)), "job-a")).as("another rank of the attempt").isFalse();
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(60)), "job-a")).as("a later attempt").isFalse();
    assertThat(tracker.failures("gpu-1", NOW.plusSeconds(60))).isEqualTo(1);
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(120)), "job-b")).isTrue();
  }

  @Test
  void failuresOutsideTheWindowAreForgotten() {
    BadNodeTracker tracker = new BadNodeTracker(2, Duration.ofHours(1));
    tracker.record(crashOn("gpu-1", NOW), "job-a");
    assertThat(tracker.record(crashOn("gpu-1", NOW.plusSeconds(3601)), "job-b")).isFalse();
    assertThat(tracker.failures("gpu-1", NOW.plusSeconds(3601))).isEqualTo(1);
  }

  @Test
  void causesThatAreNotTheNodesFaultAreNotCounted() {
    BadNodeTracker tracker = new BadNodeTracker(1, Duration.ofHours(1));
    Classification oom = CLASSIFIER.classify(new Failure(0, "p", NodeStatus.ready("gpu-1"), 137, "OOMKilled", Set.of(), NOW, null),
        List.of(), NOW);
    Classification evicted = CLASSIFIER.classify(new Failure(0, "p", NodeStatus.ready("gpu-1"), 137, "Evicted", Set.of(), NOW, null),
        List.of(), NOW);
    assertThat(tracker.record(oom, "job-a")).isFalse();
    assertThat(tracker.record(evicted, "job-b")).isFalse();
    assertThat(tracker.failures("gpu-1", NOW)).isZero();
  }

  @Test
  void clearForgetsTheFlag() {
    BadNodeTracker tracker = new BadNodeTracker(1, Duration.ofHours(1));
    assertThat(tracker.record(crashOn("gpu-1", NOW), "job-a")).isTrue();
    tracker.clear("gpu-1");
    assertThat(tracker.isFlagged("gpu-1")).isFalse();
    assertThat(tracker.failures("gpu-1", NOW)).isZero();
  }
}
