package dev.gangway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.NodeState;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementResult;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The GB200 NVL72 and mixed-fleet shapes, and TP groups placed on them by the real engine and the baselines. */
class RealShapesTest {

  private final PlacementEngine engine = new PlacementEngine();

  @Test
  void nvl72RacksAreEighteenTraysOfFourGpusInOneClique() {
    Shapes.Shape nvl = Shapes.nvl72(16);
    assertThat(nvl.nodes()).isEqualTo(288);
    assertThat(nvl.gpus()).isEqualTo(1152);
    assertThat(nvl.slots()).allSatisfy(s -> assertThat(s.gpus()).isEqualTo(4));
    Map<String, List<Shapes.Slot>> byClique = nvl.slots().stream().collect(Collectors.groupingBy(Shapes.Slot::clique));
    assertThat(byClique).hasSize(16);
    // One clique is one rack: 18 trays, all in the same rack and block.
    assertThat(byClique.values()).allSatisfy(trays -> {
      assertThat(trays).hasSize(18);
      assertThat(trays.stream().map(Shapes.Slot::rack).distinct()).hasSize(1);
    });
    assertThat(nvl.slots().stream().map(Shapes.Slot::block).distinct()).hasSize(2);
    List<NodeState> nodes = nvl.nodeStates(new int[nvl.nodes()]);
    assertThat(nodes).allSatisfy(n -> {
      assertThat(n.labels()).containsKey(Shapes.CLIQUE);
      assertThat(n.allocatable().gpus()).isEqualTo(4);
    });
    assertThat(Shapes.byName("nvl72-16").slots()).isEqualTo(nvl.slots());
  }

  @Test
  void mixedFleetHasNvl72RacksBesideEightGpuNodesWithoutClique() {
    Shapes.Shape mixed = Shapes.byName("mixed-8x72-64xh100");
    assertThat(mixed.nodes()).isEqualTo(8 * 18 + 64);
    assertThat(mixed.gpus()).isEqualTo(8 * 72 + 64 * 8);
    List<Shapes.Slot> h100 = mixed.slots().stream().filter(s -> s.clique() == null).toList();
    assertThat(h100).hasSize(64).allSatisfy(s -> assertThat(s.gpus()).isEqualTo(8));
    // Each kind has its own blocks.
    assertThat(h100.stream().map(Shapes.Slot::block).distinct()).doesNotContain("b00");
    List<NodeState> nodes = mixed.nodeStates(new int[mixed.nodes()]);
    assertThat(nodes.stream().filter(n -> !n.labels().containsKey(Shapes.CLIQUE))).hasSize(64);
  }

  @Test
  void existingShapesKeepEightGpuNodesWithoutCliqueAndTheSameOccupancy() {
    assertThat(Shapes.superpod().slots()).allSatisfy(s -> {
      assertThat(s.gpus()).isEqualTo(8);
      assertThat(s.clique()).isNull();
    });
    int[] eights = new int[2048];
    Arrays.fill(eights, 8);
    assertThat(Shapes.occupancy(eights, 0.5, 7)).isEqualTo(Shapes.occupancy(2048, 0.5, 7));
    int[] trays = Shapes.occupancy(Shapes.nvl72(16).capacity(), 0.5, 7);
    assertThat(Arrays.stream(trays).sum()).isEqualTo(576);
    assertThat(Arrays.stream(trays).max().getAsInt()).isEqualTo(4);
    assertThat(Arrays.stream(trays).filter(u -> u > 0 && u < 4).count()).isGreaterThan(10);
  }

  @Test
  void aTp72GroupLandsInOneRackOnAnEmptyNvl72Cluster() {
    Shapes.Shape nvl = Shapes.nvl72(16);
    ClusterSnapshot empty = nvl.snapshot(new int[nvl.nodes()]);
    GangRequest tp72 = GangRequest.builder("tp72").replicas(18).gpusPerRank(4).groups(18, "nvlink-domain").build();
    PlacementResult r = engine.place(empty, tp72);
    assertThat(r.placed()).isTrue();
    assertThat(cliques(nvl, r.nodes())).hasSize(1);
    assertThat(r.quality().ringCrossings().get("nvlink-domain")).isZero();
    assertThat(r.quality().allReduceVsBound()).isEqualTo(1.0);
  }

  @Test
  void everyTpGroupOfAGangStaysInOneRackAmidFragmentedOccupancy() {
    Shapes.Shape nvl = Shapes.nvl72(16);
    int[] used = Shapes.occupancy(nvl.capacity(), 0.4, 7);
    ClusterSnapshot snap = nvl.snapshot(used);
    // 8 TP-16 groups = 32 ranks of 4 GPUs.
    GangRequest req = GangRequest.builder("tp16x8").replicas(32).gpusPerRank(4).groups(4, "nvlink-domain").preferred("block").build();
    PlacementResult r = engine.place(snap, req);
    assertThat(r.placed()).isTrue();
    for (int g = 0; g < 32; g += 4) assertThat(cliques(nvl, r.nodes().subList(g, g + 4))).hasSize(1);
    assertThat(splitGroups(nvl, r.nodes(), 4)).isZero();

    // The same gang by first fit on shuffled names splits TP groups: the metric can tell them apart.
    int[] free = new int[nvl.nodes()];
    for (int i = 0; i < free.length; i++) free[i] = 4 - used[i];
    assertThat(splitGroups(nvl, Baselines.firstFit(nvl.names(), free, req), 4)).isPositive();
    // The level-aware imitation keeps groups whole too.
    assertThat(splitGroups(nvl, new LevelAwareBaseline(nvl).place(free, req), 4)).isZero();
  }

  @Test
  void aTp16GroupDoesNotFitEightGpuNvlinkDomainsButFitsTheMixedFleetsRacks() {
    Shapes.Shape superpod = Shapes.superpod();
    GangRequest tp16 = GangRequest.builder("tp16").replicas(4).gpusPerRank(4).groups(4, "nvlink-domain").build();
    assertThat(engine.place(superpod.snapshot(new int[superpod.nodes()]), tp16).placed()).isFalse();
    Shapes.Shape mixed = Shapes.mixed(2, 64);
    PlacementResult r = engine.place(mixed.snapshot(new int[mixed.nodes()]), tp16);
    assertThat(r.placed()).isTrue();
    assertThat(r.nodes()).allSatisfy(n -> assertThat(slotOf(mixed, n).clique()).isNotNull());
    assertThat(cliques(mixed, r.nodes())).hasSize(1);
  }

  @Test
  void tpStreamOffersOnlyGroupsThatFitTheShape() {
    Shapes.Shape superpod = Shapes.superpod();
    List<ScenarioRunner.Job> h100 = TpStream.jobs(400, 1, 0.9, superpod, new int[superpod.nodes()]);
    assertThat(h100).allSatisfy(j -> assertThat(j.groupSize() * j.gpusPerRank()).isLessThanOrEqualTo(8));
    Shapes.Shape nvl = Shapes.nvl72(16);
    List<ScenarioRunner.Job> racks = TpStream.jobs(400, 1, 0.9, nvl, new int[nvl.nodes()]);
    assertThat(racks.stream().map(j -> j.groupSize() * j.gpusPerRank()).distinct()).contains(8, 16, 72);
    assertThat(racks).allSatisfy(j -> assertThat(j.replicas() % j.groupSize()).isZero());
  }

  @Test
  void levelAwareBaselineReturnsNullWhenTheGroupsDoNotFit() {
    Shapes.Shape nvl = Shapes.nvl72(2);
    int[] free = new int[nvl.nodes()];
    Arrays.fill(free, 4);
    free[0] = 0; // one tray busy in the first rack, the other rack whole
    GangRequest two72 = GangRequest.builder("j").replicas(36).gpusPerRank(4).groups(18, "nvlink-domain").build();
    assertThat(new LevelAwareBaseline(nvl).place(free, two72)).isNull();
    List<String> one = new LevelAwareBaseline(nvl).place(free, GangRequest.builder("k").replicas(18).gpusPerRank(4)
        .groups(18, "nvlink-domain").build());
    assertThat(one).hasSize(18).doesNotContain(nvl.names().get(0));
    assertThat(cliques(nvl, one)).hasSize(1);
  }

  private static Shapes.Slot slotOf(Shapes.Shape shape, String node) {
    return shape.slots().get(shape.names().indexOf(node));
  }

  private static List<String> cliques(Shapes.Shape shape, List<String> nodes) {
    return nodes.stream().map(n -> slotOf(shape, n).clique()).distinct().toList();
  }

  private static int splitGroups(Shapes.Shape shape, List<String> nodes, int size) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < shape.nodes(); i++) index.put(shape.names().get(i), i);
    ScenarioRunner.Tally t = new ScenarioRunner.Tally("t");
    ScenarioRunner.countTpGroups(shape, new ScenarioRunner.Job(0, 0, 0, nodes.size(), 4, size),
        nodes.stream().mapToInt(index::get).toArray(), t);
    return t.tpGroupsSplit;
  }
}
