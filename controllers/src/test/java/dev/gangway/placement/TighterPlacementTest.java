package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a gang that fits now is looser than it could be on the usable nodes were they idle: 2 ranks x 8 GPUs. */
class TighterPlacementTest {

  /** Racks no faster than their block: leaving one costs nothing, so it is not counted. */
  private static final Topology FLAT_RACKS = Topology.of(5,
      new Level(0, "block", Clusters.BLOCK, 10), new Level(1, "rack", Clusters.RACK, 10), new Level(2, "host", Clusters.HOST, 450));

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("tight now: nothing to wait for", THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=8", null),
        Arguments.of("two racks now, one once n2 or n4 frees", THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0",
            "it fits now on 1 block and 2 racks; on the nodes usable now, were they idle, on 1 block and 1 rack"),
        Arguments.of("two blocks now: the outermost level is named first", THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b2/r2/n3=8 b2/r2/n4=0",
            "it fits now on 2 blocks and 2 racks; on the nodes usable now, were they idle, on 1 block and 1 rack"),
        Arguments.of("the tighter rack's other node is down: idle it would not help", THREE_LEVELS,
            "b1/r1/n1=8 b1/r1/n2=0,notready b1/r2/n3=8 b1/r2/n4=0,cordoned", null),
        Arguments.of("racks that cost no bandwidth to leave are not worth waiting for", FLAT_RACKS,
            "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void looser(String intent, Topology topology, String nodes, String expectWhy) {
    ClusterSnapshot cluster = Clusters.snapshot(topology, nodes);
    GangRequest req = GangRequest.builder("ns/g").replicas(2).gpusPerRank(8).build();
    PlacementEngine engine = new PlacementEngine();
    PlacementResult now = engine.place(cluster, req);
    assertThat(now.placed()).as("every row fits now").isTrue();
    var why = TighterPlacement.looser(cluster, req, now, engine);
    if (expectWhy == null) {
      assertThat(why).isEmpty();
    } else {
      assertThat(why).contains(expectWhy);
    }
  }
}
