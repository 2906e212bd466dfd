package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.placement.PlacementQuality;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlacementMessagesTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      n0             | 1 rank on 1 node;
      n0,n0          | 2 ranks on 1 node;
      n0,n1          | 2 ranks on 2 nodes;
      n0,n0,n1,n1    | 4 ranks on 2 nodes;
      """)
  void countsRanksAndTheirNodesInWordsThatAgreeWithTheNumber(String nodes, String opening) {
    PlacementQuality quality = new PlacementQuality(Map.of("rack", 1), Map.of("rack", 0), "host", 0.002, 1, Map.of("rack", 1),
        Map.of("rack", 0), 0.002, 1, true, 1L << 30);
    assertThat(PlacementMessages.placed(List.of(nodes.split(",")), quality))
        .startsWith(opening + " spans 1 rack; predicted 1024 MiB all-reduce 2.00 ms (best possible 2.00 ms)");
  }

  @org.junit.jupiter.api.Test
  void levelsSpannedAreCountedInTheSameWords() {
    // Level names are the platform's (ClusterTopology); counted as the queue's hold-out message counts them.
    // In the topology's order (a LinkedHashMap, as PlacementEngine builds it): Map.of's order is unspecified.
    Map<String, Integer> spanned = new java.util.LinkedHashMap<>();
    spanned.put("rack", 1);
    spanned.put("host", 4);
    PlacementQuality quality = new PlacementQuality(spanned, Map.of(), "host", 0.002, 1, Map.of(), Map.of(), 0.002, 1, true, 1L << 30);
    assertThat(PlacementMessages.placed(List.of("n0", "n1", "n2", "n3"), quality)).contains("; spans 1 rack, 4 hosts; predicted");
  }
}
