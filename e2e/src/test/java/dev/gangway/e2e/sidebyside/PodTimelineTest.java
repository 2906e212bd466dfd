package dev.gangway.e2e.sidebyside;

import static dev.gangway.e2e.sidebyside.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PodTimelineTest {
  private static final long S = 1_000_000_000L;
  private final ReplayJob pair = new ReplayJob("j000", 0, 10, 2, 4, 1);
  private final ReplayJob single = new ReplayJob("j001", 0, 10, 1, 4, 1);

  @Test
  void aGangIsWholeOnlyWhenEveryRankRunsAtTheSameTime() {
    PodTimeline t = new PodTimeline(List.of(pair));
    t.applied("j000", 0);
    t.event("ADDED", pod("j000", 0, false, "Running", "n-0-0", 4), 1 * S);
    t.event("MODIFIED", pod("j000", 0, false, "Succeeded", "n-0-0", 4), 2 * S);
    t.event("ADDED", pod("j000", 1, false, "Running", "n-0-1", 4), 3 * S);

    assertThat(t.whole()).isEmpty();
    assertThat(t.ranksEverRunning("j000")).isEqualTo(2);
    assertThat(t.completedAt("j000")).isNull();
  }

  @Test
  void theWholeGangKeepsNodesByRankNotByEventOrderAndTheOtherJobsPodsBesideIt() {
    PodTimeline t = new PodTimeline(List.of(pair, single));
    t.applied("j000", 0);
    t.applied("j001", 0);
    t.event("ADDED", pod("j001", 0, true, "Running", "n-1-0", 4), S);
    t.event("ADDED", pod("j000", 1, true, "Pending", null, 4), S);
    t.event("ADDED", pod("j000", 0, true, "Running", "n-0-0", 4), 2 * S);
    t.event("MODIFIED", pod("j000", 1, true, "Running", "n-0-1", 4), 3 * S);

    PodTimeline.Whole w = t.whole().get("j000");
    assertThat(w.atNanos()).isEqualTo(3 * S);
    assertThat(w.nodeByRank()).containsExactly("n-0-0", "n-0-1");
    assertThat(w.others()).extracting(p -> p.getMetadata().getName()).containsExactly("j001-0");
  }

  @Test
  void completionIsTheLastRankSucceedingAndGpuSecondsCountOnlyRunningTime() {
    PodTimeline t = new PodTimeline(List.of(pair));
    t.applied("j000", 0);
    t.event("ADDED", pod("j000", 0, false, "Running", "n-0-0", 4), S);
    t.event("ADDED", pod("j000", 1, false, "Running", "n-0-1", 4), 2 * S);
    t.event("MODIFIED", pod("j000", 0, false, "Succeeded", "n-0-0", 4), 5 * S);
    assertThat(t.allCompleted()).isFalse();
    t.event("MODIFIED", pod("j000", 1, false, "Succeeded", "n-0-1", 4), 6 * S);
    t.event("DELETED", pod("j000", 1, false, "Succeeded", "n-0-1", 4), 7 * S);

    assertThat(t.completedAt("j000")).isEqualTo(6 * S);
    assertThat(t.allCompleted()).isTrue();
    // rank 0: 4 GPUs x 4 s; rank 1: 4 GPUs x 4 s
    assertThat(t.gpuSecondsUntil(100 * S)).isEqualTo(32.0);
    assertThat(t.livePods()).isEqualTo(1);
  }

  @Test
  void aPodStillRunningIsCountedUpToTheEndOfTheRun() {
    PodTimeline t = new PodTimeline(List.of(single));
    t.event("ADDED", pod("j001", 0, true, "Running", "n-0-0", 4), S);
    assertThat(t.gpuSecondsUntil(3 * S)).isEqualTo(8.0);
  }
}
