package dev.gangway.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gangway.api.v1alpha1.ClusterTopologySpec;
import dev.gangway.api.v1alpha1.TopologyLevel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainTreeTest {

  static final Topology TOPO = Topology.of(5, new Level(0, "block", "block", 10), new Level(1, "rack", "rack", 25),
      new Level(2, "host", "kubernetes.io/hostname", 450));

  static TopologyNode node(String name, String block, String rack, int free) {
    Map<String, String> labels = new java.util.HashMap<>();
    labels.put("kubernetes.io/hostname", name);
    if (block != null) labels.put("block", block);
    if (rack != null) labels.put("rack", rack);
    return new TopologyNode(name, labels, free);
  }

  final DomainTree tree = DomainTree.build(TOPO, List.of(
      node("n3", "b2", "r3", 8), node("n1", "b1", "r1", 2), node("n2", "b1", "r1", 4), node("n4", "b1", null, 8),
      node("n5", "b1", null, 1)));

  @Test
  void levelsHoldDomainsInTreeOrder() {
    assertThat(tree.domainsAt(0)).extracting(Domain::value).containsExactly("b1", "b2");
    assertThat(tree.domainsAt(1)).extracting(Domain::value).containsExactly("?n4", "?n5", "r1", "r3");
    assertThat(tree.leafLevel()).isEqualTo(3);
    assertThat(tree.domainsAt(3)).hasSize(5);
  }

  @Test
  void nodesWithoutALevelsLabelAreEachAloneAtThatLevel() {
    Domain n4 = tree.leafOf(3);
    Domain n5 = tree.leafOf(4);
    assertThat(tree.ancestorAt(n4, 0)).isSameAs(tree.ancestorAt(n5, 0));
    assertThat(tree.ancestorAt(n4, 1)).isNotSameAs(tree.ancestorAt(n5, 1));
    assertThat(tree.ancestorAt(n4, 1).unknown()).isTrue();
    assertThat(tree.describe(tree.ancestorAt(n4, 1))).isEqualTo("rack (no rack label on n4)");
  }

  static List<Integer> free(DomainTree t, int level) {
    return t.domainsAt(level).stream().map(d -> t.freeGpusOf(d.id())).toList();
  }

  @Test
  void freeGpusAddUpPerDomain() {
    assertThat(tree.freeGpusOf(tree.root().id())).isEqualTo(23);
    assertThat(free(tree, 0)).containsExactly(15, 8);
    assertThat(free(tree, 1)).containsExactly(8, 1, 6, 8);
    assertThat(tree.root().nodeCount()).isEqualTo(5);
  }

  @Test
  void aTreeOfTheSameNodesWithOtherFreeGpusSharesTheDomainsAndEqualsOneBuiltAfresh() {
    // Nodes in the order the tree was built from: n3, n1, n2, n4, n5; an over-committed node counts as 0 free.
    DomainTree later = tree.withFreeGpus(new int[] {0, 8, 8, -3, 1});
    assertThat(later.root()).isSameAs(tree.root());
    assertThat(free(later, 0)).containsExactly(17, 0);
    assertThat(free(later, 1)).containsExactly(0, 1, 16, 0);
    assertThat(free(tree, 0)).as("the first tree keeps its own counts").containsExactly(15, 8);
    DomainTree fresh = DomainTree.build(TOPO, List.of(node("n3", "b2", "r3", 0), node("n1", "b1", "r1", 8), node("n2", "b1", "r1", 8),
        node("n4", "b1", null, -3), node("n5", "b1", null, 1)));
    assertThat(later.freeGpusById()).isEqualTo(fresh.freeGpusById());
    assertThatThrownBy(() -> tree.withFreeGpus(new int[4])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 nodes, the tree has 5");
  }

  @Test
  void aDomainsSubtreeIsAContiguousRangeAtEveryLevel() {
    Domain b1 = tree.domainsAt(0).get(0);
    int[] range = tree.rangeAt(b1, 3);
    assertThat(range[1] - range[0]).isEqualTo(4);
    for (int k = range[0]; k < range[1]; k++) assertThat(b1.contains(tree.domain(tree.idsAt(3)[k]))).isTrue();
    Domain b2 = tree.domainsAt(0).get(1);
    assertThat(tree.rangeAt(b2, 3)[1] - tree.rangeAt(b2, 3)[0]).isEqualTo(1);
  }

  @Test
  void topologyFromTheApiDefaultsCrossBlockBandwidthToTheOutermostLevel() {
    ClusterTopologySpec spec = new ClusterTopologySpec();
    spec.setLevels(List.of(new TopologyLevel("block", "b", 40), new TopologyLevel("host", "kubernetes.io/hostname", 450)));

    Topology t = Topology.from(spec);

    assertThat(t.bandwidthGBps(Topology.NO_SHARED_LEVEL)).isEqualTo(40);
    spec.setCrossBlockBandwidthGBps(7.0);
    assertThat(Topology.from(spec).bandwidthGBps(Topology.NO_SHARED_LEVEL)).isEqualTo(7);
    assertThat(t.level("host")).map(Level::index).contains(1);
  }

  @Test
  void aNodeListedTwiceIsRejected() {
    assertThatThrownBy(() -> DomainTree.build(TOPO, List.of(node("n1", "b1", "r1", 8), node("n1", "b1", "r1", 8))))
        .hasMessageContaining("n1");
  }
}
