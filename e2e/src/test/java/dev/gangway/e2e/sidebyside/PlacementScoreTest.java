package dev.gangway.e2e.sidebyside;

import static dev.gangway.e2e.sidebyside.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Two racks of two 4-GPU nodes, one NVLink clique per rack. */
class PlacementScoreTest {
  private final PlacementScore score = new PlacementScore(TestPods.topology(), TestPods.nodes(2, 2));
  /** Two TP groups of two 4-GPU ranks: 16 GPUs, so two racks whatever the placement. */
  private final ReplayJob tp8 = new ReplayJob("j000", 0, 10, 4, 4, 2);

  @Test
  void ranksInDepthFirstOrderCrossEachRackOnceEachWayAndKeepTpGroupsWhole() {
    PlacementScore.Score s = score.of(tp8, "ns", List.of("n-0-0", "n-0-1", "n-1-0", "n-1-1"), List.of());
    assertThat(s.quality().ringCrossings().get("rack")).isEqualTo(2);
    assertThat(s.quality().lowerBoundCrossings().get("rack")).isEqualTo(2);
    assertThat(s.quality().domainsSpanned().get("rack")).isEqualTo(2);
    assertThat(s.tpGroups()).isEqualTo(2);
    assertThat(s.tpGroupsSplit()).isZero();
  }

  @Test
  void ranksAlternatingRacksCrossOnEveryHopAndSplitEveryTpGroup() {
    PlacementScore.Score s = score.of(tp8, "ns", List.of("n-0-0", "n-1-0", "n-0-1", "n-1-1"), List.of());
    assertThat(s.quality().ringCrossings().get("rack")).isEqualTo(4);
    assertThat(s.quality().ringCrossings().get("nvlink-domain")).isEqualTo(4);
    assertThat(s.quality().lowerBoundCrossings().get("rack")).isEqualTo(2);
    assertThat(s.tpGroupsSplit()).isEqualTo(2);
    assertThat(s.quality().allReduceVsBound()).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void theBoundIsTakenWithTheOtherJobsPodsInPlace() {
    ReplayJob pair = new ReplayJob("j001", 0, 10, 2, 4, 1);
    List<String> spread = List.of("n-0-1", "n-1-1");
    // On an idle cluster the pair fits one rack: crossing racks is above the bound.
    assertThat(score.of(pair, "ns", spread, List.of()).quality().lowerBoundCrossings().get("rack")).isZero();
    // With one node of each rack busy, no rack has room for both ranks: the crossings are the bound.
    PlacementScore.Score busy = score.of(pair, "ns", spread,
        List.of(pod("j009", 0, false, "Running", "n-0-0", 4), pod("j009", 1, false, "Running", "n-1-0", 4)));
    assertThat(busy.quality().lowerBoundCrossings().get("rack")).isEqualTo(2);
    assertThat(busy.quality().ringCrossings().get("rack")).isEqualTo(2);
  }
}
