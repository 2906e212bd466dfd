package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a gang that fits now is looser than it could be on the usable nodes were they idle: 2 ranks x 8 GPUs unless told. */
class TighterPlacementTest {

  /** Racks no faster than their block: leaving one costs no bandwidth, so only the hold-out's last rule weighs them. */
  private static final Topology FLAT_RACKS = Topology.of(5,
      new Level(0, "block", Clusters.BLOCK, 10), new Level(1, "rack", Clusters.RACK, 10), new Level(2, "host", Clusters.HOST, 450));

  /**
   * An H100 SuperPOD's shape: the NVLink domain is one node, and racks and blocks are as fast as what joins them, so no
   * level above the node is worth fewer domains; only leaving a node costs bandwidth.
   */
  private static final Topology SUPERPOD = Topology.of(50,
      new Level(0, "block", Clusters.BLOCK, 50), new Level(1, "rack", Clusters.RACK, 50), new Level(2, "host", Clusters.HOST, 900));

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("tight now: nothing to wait for", 8, THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=8", null),
        Arguments.of("two racks now, one once n2 or n4 frees", 8, THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0",
            "it fits now on 1 block and 2 racks; on the nodes usable now, were they idle, on 1 block and 1 rack"),
        Arguments.of("two blocks now: the outermost level is named first", 8, THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b2/r2/n3=8 b2/r2/n4=0",
            "it fits now on 2 blocks and 2 racks; on the nodes usable now, were they idle, on 1 block and 1 rack"),
        Arguments.of("the tighter rack's other node is down: idle it would not help", 8, THREE_LEVELS,
            "b1/r1/n1=8 b1/r1/n2=0,notready b1/r2/n3=8 b1/r2/n4=0,cordoned", null),
        Arguments.of("racks that cost no bandwidth to leave: still one rack rather than two, named as what it is worth", 8,
            FLAT_RACKS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0", "it fits now on 2 racks; on the nodes usable now, were "
            + "they idle, on 1 rack, as fast: fewer leave whole ones free for larger gangs and share fewer failures of a whole rack"),
        Arguments.of("racks that cost no bandwidth: the one rack that could hold both is down", 8, FLAT_RACKS,
            "b1/r1/n1=8 b1/r1/n2=0,notready b1/r2/n3=8 b1/r2/n4=0,notready", null),
        Arguments.of("4-GPU ranks split over two nodes where one idle node would hold both", 4, SUPERPOD,
            "b1/r1/n1=4 b1/r1/n2=4 b1/r2/n3=0 b1/r2/n4=0", "it fits now with a ring all-reduce 18.0× as slow (its slowest link: "
            + "rack) as on the nodes usable now, were they idle (host)"),
        Arguments.of("4-GPU ranks on one node already", 4, SUPERPOD, "b1/r1/n1=8 b1/r1/n2=4 b1/r2/n3=0 b1/r2/n4=0", null),
        Arguments.of("8-GPU ranks on two blocks where one rack would hold both: as fast, the outermost level named", 8, SUPERPOD,
            "b1/r1/n1=8 b1/r1/n2=0 b2/r2/n3=8 b2/r2/n4=0", "it fits now on 2 blocks and 2 racks; on the nodes usable now, were "
            + "they idle, on 1 block and 1 rack, as fast: fewer leave whole ones free for larger gangs and share fewer failures "
            + "of a whole block"),
        Arguments.of("8-GPU ranks cannot share a node: two nodes of one rack is the best there is", 8, SUPERPOD,
            "b1/r1/n1=8 b1/r1/n2=8 b2/r2/n3=0 b2/r2/n4=0", null));
  }

  @ParameterizedTest(name = "{0} ({1} GPUs per rank)")
  @MethodSource("rows")
  void looser(String intent, int gpusPerRank, Topology topology, String nodes, String expectWhy) {
    ClusterSnapshot cluster = Clusters.snapshot(topology, nodes);
    GangRequest req = GangRequest.builder("ns/g").replicas(2).gpusPerRank(gpusPerRank).build();
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
