package dev.gangway.cli;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.NodeState;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code kubectl gangway top}: GPU use of one domain, counted the way the placement
 * engine counts it (bound pods and Gangway's reservations, {@link SnapshotFactory}).
 *
 * @param wholeNodesFree nodes in the domain with every GPU free: what a gang of full-node ranks can use
 * @param fragmentation share of the free GPUs that sit on partly used nodes (0 = all free GPUs are on whole free nodes)
 */
record DomainUsage(String level, String domain, int nodes, int gpus, int used, int free, int wholeNodesFree, double fragmentation) {

  static List<DomainUsage> of(Topology topology, List<Node> nodes, List<Pod> pods) {
    ClusterSnapshot snapshot = SnapshotFactory.from(topology, nodes, pods);
    DomainTree tree = snapshot.tree();
    List<DomainUsage> rows = new ArrayList<>();
    rows.add(of("cluster", tree.root(), snapshot));
    // Every level but the host level (the last): one line per node would bury the picture on a real fleet.
    for (int level = 0; level < tree.leafLevel() - 1; level++) {
      for (Domain d : tree.domainsAt(level)) {
        rows.add(of(topology.level(level).name(), d, snapshot));
      }
    }
    return rows;
  }

  private static DomainUsage of(String level, Domain d, ClusterSnapshot snapshot) {
    DomainTree tree = snapshot.tree();
    int[] range = tree.rangeAt(d, tree.leafLevel());
    int[] leaves = tree.idsAt(tree.leafLevel());
    int nodes = 0;
    int gpus = 0;
    int free = 0;
    int wholeNodes = 0;
    int freeOnWholeNodes = 0;
    for (int k = range[0]; k < range[1]; k++) {
      int index = tree.domain(leaves[k]).nodeIndex();
      NodeState n = snapshot.node(index);
      int total = n.allocatable().gpus();
      // Free minus every gang's reservations (a null job owns none): what the next decision could use.
      int f = Math.max(0, snapshot.freeFor(null, index).gpus());
      nodes++;
      gpus += total;
      free += f;
      if (total > 0 && f == total) {
        wholeNodes++;
        freeOnWholeNodes += f;
      }
    }
    double fragmentation = free == 0 ? 0 : 1.0 - (double) freeOnWholeNodes / free;
    return new DomainUsage(level, d.level() < 0 ? "all" : d.value(), nodes, gpus, gpus - free, free, wholeNodes, fragmentation);
  }

  static String table(List<DomainUsage> rows) {
    TextTable t = new TextTable("LEVEL", "DOMAIN", "NODES", "GPUS", "USED", "FREE", "WHOLE NODES FREE", "FRAGMENTED");
    rows.forEach(r -> t.row(r.level(), r.domain(), r.nodes(), r.gpus(), r.used() + " (" + Math.round(100.0 * r.used() / Math.max(1, r.gpus()))
        + "%)", r.free(), r.wholeNodesFree(), Math.round(100 * r.fragmentation()) + "%"));
    return t.render();
  }
}
