package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which capacity the head of the queue holds: node → GPUs held, and the words for it. */
class HeadReservationTest {

  static Stream<Arguments> rows() {
    return Stream.of(
        row("fits now: held exactly where the engine places it", "b1/r1/n1=2 b1/r1/n2=6",
            r -> r.replicas(1).gpusPerRank(4).required("host"), Map.of("n2", 4), "4 GPUs on 1 node where it fits now"),
        row("waits: the rack where more of it is free already", "b1/r1/n1=0 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0",
            r -> r.replicas(2).gpusPerRank(8).required("rack"), Map.of("n3", 8, "n4", 8), "16 GPUs on 2 nodes in rack r2"),
        row("waits: the tightest domain that could hold it, its freest nodes first and only the ranks' worth",
            "b1/r1/n1=0 b1/r1/n2=4 b1/r2/n3=0 b1/r2/n4=0 b2/r3/n5=0",
            r -> r.replicas(3).gpusPerRank(8), Map.of("n2", 8, "n1", 8, "n3", 8), "24 GPUs on 3 nodes in block b1"),
        row("needs nodes that are down now: holds nothing", "b1/r1/n1=8,notready b1/r1/n2=8 b1/r2/n3=0",
            r -> r.replicas(2).gpusPerRank(8).required("rack"), Map.of(), null));
  }

  static Arguments row(String intent, String nodes, UnaryOperator<GangRequest.Builder> req, Map<String, Integer> held, String where) {
    return Arguments.of(intent, nodes, req, held, where);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void holds(String intent, String nodes, UnaryOperator<GangRequest.Builder> req, Map<String, Integer> expectHeld, String expectWhere) {
    ClusterSnapshot cluster = Clusters.snapshot(THREE_LEVELS, nodes);
    var held = HeadReservation.of(cluster, req.apply(GangRequest.builder("ns/head")).build(), new PlacementEngine());
    if (expectWhere == null) {
      assertThat(held).isEmpty();
      return;
    }
    assertThat(held).isPresent();
    Map<String, Integer> gpus = new TreeMap<>();
    held.get().reservations().forEach(r -> gpus.merge(r.node(), r.resources().gpus(), Integer::sum));
    assertThat(gpus).isEqualTo(new TreeMap<>(expectHeld));
    assertThat(held.get().where()).isEqualTo(expectWhere);
  }

  @Test
  void aHeadHoldingOutForATighterPlacementHoldsTheTighterCapacityNotWhereItFitsNow() {
    ClusterSnapshot cluster = Clusters.snapshot(THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0");
    GangRequest req = GangRequest.builder("ns/head").replicas(2).gpusPerRank(8).build();
    var eager = HeadReservation.of(cluster, req, new PlacementEngine(), false).orElseThrow();
    var patient = HeadReservation.of(cluster, req, new PlacementEngine(), true).orElseThrow();
    assertThat(eager.where()).isEqualTo("16 GPUs on 2 nodes where it fits now");
    assertThat(patient.where()).as("one rack, its free node first").isEqualTo("16 GPUs on 2 nodes in rack r1");
    assertThat(patient.reservations()).extracting(Reservation::node).containsExactly("n1", "n2");
  }
}
