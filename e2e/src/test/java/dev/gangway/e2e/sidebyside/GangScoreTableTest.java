package dev.gangway.e2e.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GangScoreTableTest {
  private final PlacementScore score = new PlacementScore(TestPods.topology(), TestPods.nodes(2, 2));

  @Test
  void eachMultiRankGangIsOneRowWithItsDomainsAndCrossingsBesideTheBound() {
    ReplayJob pair = new ReplayJob("j001", 0, 10, 2, 4, 1);
    ReplayJob single = new ReplayJob("j002", 0, 10, 1, 4, 1);
    ReplayJob missing = new ReplayJob("j003", 0, 10, 2, 4, 1);
    // On an idle cluster the pair fits one rack: spread over two it spans 2 racks and crosses twice, against 1 and 0.
    Map<String, PlacementScore.Score> scores = Map.of("j001", score.of(pair, "ns", List.of("n-0-1", "n-1-1"), List.of()),
        "j002", score.of(single, "ns", List.of("n-0-0"), List.of()));

    String table = GangScoreTable.render("gangway", List.of(pair, single, missing), scores, List.of("rack"));

    assertThat(table).contains("| j001 | 2 | 2 / 2 (1 / 0) |");
    assertThat(table).doesNotContain("j002");
    assertThat(table).contains("| j003 | 2 | never whole |");
  }
}
