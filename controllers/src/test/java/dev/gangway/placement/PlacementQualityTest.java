package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementQualityTest {

  static final double GIB = 1L << 30;
  // b1: a1 a2 | b2: c1 c2 c3 | b3: d1 — bandwidths block 10, rack 25, host 450, cross-block 5 GB/s.
  static final String THREE_BLOCKS = "b1/r1/a1 b1/r1/a2 b2/r2/c1 b2/r2/c2 b2/r2/c3 b3/r3/d1";

  final PlacementEngine engine = new PlacementEngine();
  final ClusterSnapshot snapshot = Clusters.snapshot(THREE_LEVELS, THREE_BLOCKS);
  final GangRequest fiveNodes = GangRequest.builder("ns/job").replicas(5).gpusPerRank(8).preferred("block").build();

  @Test
  void aGangOverTwoBlocksCrossesEachBoundaryOnceEachWay() {
    PlacementQuality q = engine.place(snapshot, fiveNodes).quality();

    assertThat(q.domainsSpanned()).containsExactly(Map.entry("block", 2), Map.entry("rack", 2), Map.entry("host", 5));
    assertThat(q.ringCrossings()).containsExactly(Map.entry("block", 2), Map.entry("rack", 2), Map.entry("host", 5));
    assertThat(q.slowestLink()).isEqualTo("cross-block");
    // 40 GPUs, slowest link 5 GB/s: 2·39/40 · 1 GiB / 5 GB/s
    assertThat(q.predictedAllReduceSeconds()).isCloseTo(2.0 * 39 / 40 * GIB / 5e9, within(1e-9));
    // hops a1→a2, c1→c2, c2→c3 stay in a rack (25 GB/s); a2→c1 and c3→a1 cross blocks (5 GB/s)
    assertThat(q.ringCost()).isCloseTo(3 / 25.0 + 2 / 5.0, within(1e-12));
    assertThat(q.preferredMet()).isFalse();
  }

  @Test
  void theEnginesOwnPlacementMeetsTheLowerBoundHere() {
    PlacementQuality q = engine.place(snapshot, fiveNodes).quality();

    assertThat(q.lowerBoundDomains()).containsExactly(Map.entry("block", 2), Map.entry("rack", 2), Map.entry("host", 5));
    assertThat(q.lowerBoundCrossings()).isEqualTo(q.ringCrossings());
    assertThat(q.allReduceVsBound()).isCloseTo(1.0, within(1e-12));
    assertThat(q.ringCostVsBound()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void interleavingBlocksCostsMoreThanTheBoundThoughTheSlowestLinkIsTheSame() {
    PlacementQuality q = engine.measure(snapshot, fiveNodes, List.of("a1", "c1", "a2", "c2", "c3"));

    assertThat(q.ringCrossings()).containsEntry("block", 4).containsEntry("rack", 4);
    assertThat(q.domainsSpanned()).containsEntry("block", 2);
    assertThat(q.allReduceVsBound()).isCloseTo(1.0, within(1e-12));
    assertThat(q.ringCost()).isCloseTo(4 / 5.0 + 1 / 25.0, within(1e-12));
    assertThat(q.ringCostVsBound()).isGreaterThan(1.5);
  }

  @Test
  void spanningThreeBlocksWhenTwoWouldDoIsAboveTheBound() {
    PlacementQuality q = engine.measure(snapshot, fiveNodes, List.of("a1", "a2", "c1", "c2", "d1"));

    assertThat(q.domainsSpanned()).containsEntry("block", 3);
    assertThat(q.lowerBoundDomains()).containsEntry("block", 2);
    assertThat(q.ringCost()).isGreaterThan(q.lowerBoundRingCost());
  }

  @Test
  void anAssignmentThatSplitsGroupsWhereNoWholeGroupFitsIsBoundedWithoutGroups() {
    // One free node per rack: no rack holds a group of two, so no grouped placement exists on this capacity.
    ClusterSnapshot oneNodePerRack = Clusters.snapshot(THREE_LEVELS, "b1/r1/a1 b1/r2/a2 b2/r3/c1 b2/r4/c2");
    GangRequest pairsPerRack = GangRequest.builder("ns/job").replicas(4).gpusPerRank(8).groups(2, "rack").build();

    PlacementQuality q = engine.measure(oneNodePerRack, pairsPerRack, List.of("a1", "a2", "c1", "c2"));

    // Counting the domains that hold a whole group (none) gave 1 block and 1 rack: a "bound" below what 4 ranks need.
    assertThat(q.lowerBoundDomains()).containsEntry("block", 2).containsEntry("rack", 4);
    assertThat(q.domainsSpanned()).isEqualTo(q.lowerBoundDomains());
    assertThat(q.allReduceVsBound()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void ranksOnOneNodeUseOnlyTheHostLink() {
    GangRequest two = GangRequest.builder("ns/job").replicas(2).gpusPerRank(4).build();

    PlacementResult r = engine.place(snapshot, two);

    // Every node is empty: d1, alone in its block, is the tightest parent, and the two-node racks stay whole.
    assertThat(r.nodes()).containsExactly("d1", "d1");
    PlacementQuality q = r.quality();
    assertThat(q.totalRingCrossings()).isZero();
    assertThat(q.slowestLink()).isEqualTo("host");
    assertThat(q.predictedAllReduceSeconds()).isCloseTo(2.0 * 7 / 8 * GIB / 450e9, within(1e-12));
    assertThat(q.lowerBoundAllReduceSeconds()).isCloseTo(q.predictedAllReduceSeconds(), within(1e-12));
  }

  @Test
  void aSingleGpuHasNothingToReduce() {
    PlacementQuality q = engine.place(snapshot, GangRequest.builder("ns/job").replicas(1).gpusPerRank(1).build()).quality();

    assertThat(q.predictedAllReduceSeconds()).isZero();
    assertThat(q.allReduceVsBound()).isEqualTo(1.0);
  }

  @Test
  void theReferenceMessageSizeScalesThePrediction() {
    double oneGiB = engine.place(snapshot, fiveNodes).quality().predictedAllReduceSeconds();
    double twoGiB = new PlacementEngine(2L << 30).place(snapshot, fiveNodes).quality().predictedAllReduceSeconds();

    assertThat(twoGiB).isCloseTo(2 * oneGiB, within(1e-12));
  }
}
