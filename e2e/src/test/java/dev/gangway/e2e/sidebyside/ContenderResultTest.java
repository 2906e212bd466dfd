package dev.gangway.e2e.sidebyside;

import static dev.gangway.e2e.sidebyside.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContenderResultTest {
  private static final long S = 1_000_000_000L;
  private final PlacementScore score = new PlacementScore(TestPods.topology(), TestPods.nodes(2, 2));
  private final ReplayJob tp8 = new ReplayJob("j000", 0, 10, 4, 4, 2);
  private final ReplayJob partial = new ReplayJob("j001", 0, 10, 2, 4, 1);

  @Test
  void figuresComeFromTheWholeGangsAndWhatWasNotHonouredIsNamed() {
    ReplayTimeline t = new ReplayTimeline(List.of(tp8, partial));
    t.applied("j000", 0);
    t.applied("j001", 0);
    String[] alternating = {"n-0-0", "n-1-0", "n-0-1", "n-1-1"};
    for (int r = 0; r < 4; r++) t.event("ADDED", pod("j000", r, false, "Running", alternating[r], 4), 2 * S);
    for (int r = 0; r < 4; r++) t.event("MODIFIED", pod("j000", r, false, "Succeeded", alternating[r], 4), 12 * S);
    // j001: one rank ran and finished, the other only afterwards: never a gang.
    t.event("ADDED", pod("j001", 0, false, "Running", "n-0-0", 4), 13 * S);
    t.event("MODIFIED", pod("j001", 0, false, "Succeeded", "n-0-0", 4), 23 * S);
    t.event("ADDED", pod("j001", 1, false, "Running", "n-0-1", 4), 24 * S);
    t.event("MODIFIED", pod("j001", 1, false, "Succeeded", "n-0-1", 4), 30 * S);
    ReplayTimeline.Whole w = t.whole().get("j000");
    Map<String, PlacementScore.Score> scores = Map.of("j000", score.of(tp8, "ns", w.nodeByRank(), w.others()));

    ContenderResult r = ContenderResult.of(Contender.KUBE_SCHEDULER, List.of(tp8, partial), t, scores, 40 * S, 16,
        List.of("block", "rack", "nvlink-domain"), List.of());

    assertThat(r.whole()).isEqualTo(1);
    assertThat(r.completed()).isEqualTo(2);
    assertThat(r.toWhole().p50()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(r.makespanSeconds()).isEqualTo(30.0);
    assertThat(r.jobsPerMinute()).isCloseTo(4.0, within(1e-9));
    // 16 GPUs x 10 s + 4 x 10 + 4 x 6, over 16 GPUs x 30 s
    assertThat(r.gpuUtilisation()).isCloseTo(224.0 / 480, within(1e-9));
    assertThat(r.perGang("rack", 2)).isEqualTo(4.0);
    assertThat(r.perGang("rack", 3)).isEqualTo(2.0);
    assertThat(r.tpGroupsSplit()).isEqualTo(2);
    assertThat(r.notHonoured()).containsExactly(
        "1 job(s) never had all ranks Running at once (1 of them ran part of their ranks: no gang): j001 (2 ranks, 2 ever Running)",
        "2 of 2 TP groups split across NVLink domains",
        "1 of 1 gangs not in one rack (preferred)");
    assertThat(SideBySideTable.render(List.of(r), List.of("block", "rack", "nvlink-domain")))
        .contains("| kube-scheduler alone | 1 / 2 | 2.0 | 2.0 | 4.00 | 46.7% |");
  }
}
