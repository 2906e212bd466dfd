package dev.gangway.placement;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Small clusters written as text, for tables of placement cases. */
final class Clusters {

  static final String BLOCK = "example.com/block";
  static final String RACK = "example.com/rack";
  static final String NVLINK = "nvidia.com/gpu.clique";
  static final String HOST = "kubernetes.io/hostname";

  /** block → rack → host; bandwidths make every boundary visible in predicted times. */
  static final Topology THREE_LEVELS = Topology.of(5,
      new Level(0, "block", BLOCK, 10), new Level(1, "rack", RACK, 25), new Level(2, "host", HOST, 450));

  /** block → rack → nvlink-domain → host, for tensor-parallel groups across hosts. */
  static final Topology FOUR_LEVELS = Topology.of(5,
      new Level(0, "block", BLOCK, 10), new Level(1, "rack", RACK, 25), new Level(2, "nvlink-domain", NVLINK, 200),
      new Level(3, "host", HOST, 450));

  private Clusters() {
  }

  /**
   * Nodes from tokens "path=free", e.g. "b1/r1/n1=8 b1/r2/n2=4": path components are label values of
   * the topology's levels, the last one the node's name; "-" leaves that level's label off. Each node
   * has 8 GPUs, 64 CPUs and 512Gi; "=free" sets how many GPUs are not used (default 8).
   */
  static List<NodeState> nodes(Topology topo, String spec, UnaryOperator<NodeState.Builder> each) {
    List<NodeState> out = new ArrayList<>();
    for (String token : spec.trim().split("\\s+")) {
      String[] flags = token.split(",");
      String[] kv = flags[0].split("=");
      String[] path = kv[0].split("/");
      if (path.length != topo.depth()) throw new IllegalArgumentException(token + ": needs " + topo.depth() + " path parts");
      String name = path[path.length - 1];
      int free = kv.length > 1 ? Integer.parseInt(kv[1]) : 8;
      NodeState.Builder b = NodeState.builder(name).allocatable(8, 64_000, 512L << 30).usedGpus(8 - free);
      for (int l = 0; l < path.length - 1; l++) {
        if (!path[l].equals("-")) b.label(topo.level(l).nodeLabel(), path[l]);
      }
      for (int f = 1; f < flags.length; f++) flag(b, flags[f], free);
      out.add(each.apply(b).build());
    }
    return out;
  }

  /**
   * Per-node flags after the free count: taint=key:value:Effect, label=key:value, notready, cordoned,
   * cpu=free millicores, mem=free GiB.
   */
  private static void flag(NodeState.Builder b, String flag, int freeGpus) {
    String[] kv = flag.split("=", 2);
    switch (kv[0]) {
      case "taint" -> {
        String[] t = kv[1].split(":");
        b.taint(t[0], t[1], t[2]);
      }
      case "label" -> {
        String[] t = kv[1].split(":");
        b.label(t[0], t[1]);
      }
      case "notready" -> b.ready(false);
      case "cordoned" -> b.unschedulable(true);
      case "cpu" -> b.used(new Resources(8 - freeGpus, 64_000 - Long.parseLong(kv[1]), 0));
      case "mem" -> b.used(new Resources(8 - freeGpus, 0, (512L - Long.parseLong(kv[1])) << 30));
      default -> throw new IllegalArgumentException("unknown node flag " + flag);
    }
  }

  static ClusterSnapshot snapshot(Topology topo, String spec) {
    return new ClusterSnapshot(topo, nodes(topo, spec, b -> b));
  }
}
