package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PlacementQueueTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private final PlacementQueue queue = new PlacementQueue(Duration.ofMinutes(10));

  @Test
  void aLoneGangMayPlace() {
    assertThat(queue.admit("ns/a", 0, T0, T0).mayPlace()).isTrue();
  }

  @Test
  void smallerGangsBackfillWhileTheHeadHasWaitedLessThanTheBound() {
    queue.admit("ns/big", 0, T0, T0);
    assertThat(queue.admit("ns/small", 0, T0.plusSeconds(1), T0.plusSeconds(60)).mayPlace()).isTrue();
  }

  @Test
  void pastTheBoundNobodyBehindTheHeadIsPlaced() {
    queue.admit("ns/big", 0, T0, T0);
    PlacementQueue.Admission late = queue.admit("ns/small", 0, T0.plusSeconds(1), T0.plus(Duration.ofMinutes(11)));
    assertThat(late.mayPlace()).isFalse();
    assertThat(late.blockedBy().jobKey()).isEqualTo("ns/big");
    queue.leave("ns/big");
    assertThat(queue.admit("ns/small", 0, T0.plusSeconds(1), T0.plus(Duration.ofMinutes(12))).mayPlace()).isTrue();
  }

  @Test
  void higherPriorityGoesFirstAndAgeBreaksTies() {
    queue.admit("ns/old-low", 0, T0, T0);
    queue.admit("ns/new-high", 100, T0.plusSeconds(5), T0);
    queue.admit("ns/older-high", 100, T0.plusSeconds(1), T0);
    assertThat(queue.snapshot()).extracting(PlacementQueue.Entry::jobKey).containsExactly("ns/older-high", "ns/new-high", "ns/old-low");
    assertThat(queue.admit("ns/old-low", 0, T0, T0.plus(Duration.ofMinutes(11))).blockedBy().jobKey()).isEqualTo("ns/older-high");
  }

  @Test
  void waitingSinceSurvivesRepeatedAdmissions() {
    queue.admit("ns/a", 0, T0, T0);
    queue.admit("ns/a", 0, T0, T0.plusSeconds(30));
    assertThat(queue.snapshot()).singleElement().satisfies(e -> assertThat(e.waitingSince()).isEqualTo(T0));
  }
}
