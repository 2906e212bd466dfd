package dev.gangway.bench;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.NodeState;
import dev.gangway.placement.Resources;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Cluster shapes for the benchmarks. Bandwidths per GPU and direction, from the shared reference data:
 * NVLink 900 GB/s bidirectional → 450; InfiniBand NDR 400 Gb/s → 50 GB/s per GPU (one NIC per GPU,
 * rail-optimised, full bisection inside a block); above a block Llama 3's fabric is oversubscribed 1:7.
 * Nodes carry no NVLink-clique label (NVLink = the host, as on DGX H100), so each is alone in its
 * nvlink-domain. Node names are a seeded shuffle, unrelated to position, as cloud node names are.
 */
public final class Shapes {

  public static final String BLOCK = "network.topology.kubernetes.io/block";
  public static final String RACK = "network.topology.kubernetes.io/rack";
  public static final String CLIQUE = "nvidia.com/gpu.clique";
  public static final String HOST = "kubernetes.io/hostname";
  public static final int GPUS_PER_NODE = 8;

  private Shapes() {
  }

  static Topology topology(double crossBlock) {
    return Topology.of(crossBlock, new Level(0, "block", BLOCK, 50), new Level(1, "rack", RACK, 50),
        new Level(2, "nvlink-domain", CLIQUE, 450), new Level(3, "host", HOST, 450));
  }

  /** A node's place: block and rack label values. */
  public record Slot(String block, String rack) {
  }

  /** A cluster shape: its topology and one slot per node, in physical order. */
  public record Shape(String name, Topology topology, List<Slot> slots, List<String> names) {
    public int nodes() {
      return slots.size();
    }

    /** Nodes with {@code usedGpus[i]} GPUs in use on node i (physical order). */
    public List<NodeState> nodeStates(int[] usedGpus) {
      List<NodeState> out = new ArrayList<>(slots.size());
      for (int i = 0; i < slots.size(); i++) {
        Slot s = slots.get(i);
        out.add(new NodeState(names.get(i), Map.of(BLOCK, s.block, RACK, s.rack, HOST, names.get(i)), List.of(), false, true,
            new Resources(GPUS_PER_NODE, 96_000, 1024L << 30), new Resources(usedGpus[i], 0, 0)));
      }
      return out;
    }

    public ClusterSnapshot snapshot(int[] usedGpus) {
      return new ClusterSnapshot(topology, nodeStates(usedGpus));
    }
  }

  /** DGX SuperPOD-like: 4 scalable units (blocks) of 32 nodes, racks of 4 nodes; non-blocking across SUs. */
  public static Shape superpod() {
    return build("superpod-128", topology(50), 4, 32, 4, 1);
  }

  /** Hyperscale: racks of 2 nodes (16 GPUs per ToR), 384-node blocks (3,072-GPU pods), 1:7 above the pod. */
  public static Shape hyperscale(int nodes) {
    return build("hyperscale-" + nodes, topology(50.0 / 7), (nodes + 383) / 384, 384, 2, nodes);
  }

  public static Shape byName(String name) {
    if (name.equals("superpod-128")) return superpod();
    if (name.startsWith("hyperscale-")) return hyperscale(Integer.parseInt(name.substring("hyperscale-".length())));
    throw new IllegalArgumentException("unknown shape " + name + " (superpod-128, hyperscale-N)");
  }

  private static Shape build(String name, Topology topo, int blocks, int nodesPerBlock, int nodesPerRack, int limit) {
    int total = limit > 1 ? limit : blocks * nodesPerBlock;
    List<Slot> slots = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      int block = i / nodesPerBlock;
      int rack = (i % nodesPerBlock) / nodesPerRack;
      slots.add(new Slot(String.format("b%02d", block), String.format("b%02d-r%03d", block, rack)));
    }
    List<String> names = new ArrayList<>(total);
    for (int i = 0; i < total; i++) names.add(String.format("gpu-%05d", i));
    Collections.shuffle(names, new Random(42));
    return new Shape(name, topo, List.copyOf(slots), List.copyOf(names));
  }

  /**
   * Seeded fragmented occupancy: about {@code fraction} of all GPUs in use, 70% of it as whole nodes and
   * 30% as partial nodes (1–7 GPUs) scattered at random, the way finished jobs leave a cluster.
   */
  public static int[] occupancy(int nodes, double fraction, long seed) {
    Random rnd = new Random(seed);
    int[] used = new int[nodes];
    long target = Math.round(fraction * nodes * GPUS_PER_NODE);
    long whole = Math.round(target * 0.7);
    long placed = 0;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < nodes; i++) order.add(i);
    Collections.shuffle(order, rnd);
    int k = 0;
    while (placed + GPUS_PER_NODE <= whole && k < nodes) {
      used[order.get(k++)] = GPUS_PER_NODE;
      placed += GPUS_PER_NODE;
    }
    int guard = 0;
    while (placed < target && k < nodes && guard++ < 100 * nodes) {
      // Partial use only on nodes not already taken whole; a node stays at most 7/8 used.
      int i = order.get(k + rnd.nextInt(nodes - k));
      int room = GPUS_PER_NODE - 1 - used[i];
      if (room <= 0) continue;
      int add = (int) Math.min(1 + rnd.nextInt(room), target - placed);
      used[i] += add;
      placed += add;
    }
    return used;
  }
}
