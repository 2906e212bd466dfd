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

  /**
   * A node's place and size: block and rack label values, its GPUs, and the NVLink clique it shares
   * with other nodes ({@code null} when its NVLink domain is the host, as on a DGX H100).
   */
  public record Slot(String block, String rack, int gpus, String clique) {
    /** An 8-GPU node whose NVLink domain is the host. */
    public Slot(String block, String rack) {
      this(block, rack, GPUS_PER_NODE, null);
    }
  }

  /** A cluster shape: its topology and one slot per node, in physical order. */
  public record Shape(String name, Topology topology, List<Slot> slots, List<String> names) {
    public int nodes() {
      return slots.size();
    }

    /** GPUs of every node, in physical order. */
    public int[] capacity() {
      return slots.stream().mapToInt(Slot::gpus).toArray();
    }

    /** Node i's NVLink domain: its clique, or the node itself when its NVLink domain is the host. */
    public String nvlinkDomain(int i) {
      String clique = slots.get(i).clique();
      return clique != null ? clique : "host:" + names.get(i);
    }

    /** GPUs of the whole cluster. */
    public int gpus() {
      return slots.stream().mapToInt(Slot::gpus).sum();
    }

    /** Nodes with {@code usedGpus[i]} GPUs in use on node i (physical order). */
    public List<NodeState> nodeStates(int[] usedGpus) {
      List<NodeState> out = new ArrayList<>(slots.size());
      for (int i = 0; i < slots.size(); i++) {
        Slot s = slots.get(i);
        Map<String, String> labels = s.clique == null ? Map.of(BLOCK, s.block, RACK, s.rack, HOST, names.get(i))
            : Map.of(BLOCK, s.block, RACK, s.rack, CLIQUE, s.clique, HOST, names.get(i));
        out.add(new NodeState(names.get(i), labels, List.of(), false, true,
            new Resources(s.gpus, 96_000, 1024L << 30), new Resources(usedGpus[i], 0, 0)));
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

  /** Trays (nodes) of a GB200 NVL72 rack, GPUs per tray, and racks per scalable unit of a DGX GB200 SuperPOD. */
  public static final int NVL72_TRAYS = 18;
  public static final int NVL72_GPUS_PER_TRAY = 4;
  public static final int NVL72_RACKS_PER_SU = 8;

  /**
   * GB200 NVL72 bandwidths per GPU and direction: NVLink 5 is 1.8 TB/s bidirectional → 900 inside the rack
   * (tray and NVLink domain); between racks the InfiniBand compute fabric, 400 Gb/s per GPU → 50, full
   * bisection inside and across scalable units. Crossing the NVLink domain costs 18× the bandwidth.
   */
  static Topology nvl72Topology() {
    return Topology.of(50, new Level(0, "block", BLOCK, 50), new Level(1, "rack", RACK, 50),
        new Level(2, "nvlink-domain", CLIQUE, 900), new Level(3, "host", HOST, 900));
  }

  /**
   * {@code racks} GB200 NVL72 racks: 18 trays × 4 GPUs each, one NVLink domain per rack (every tray of a
   * rack carries the rack's {@code nvidia.com/gpu.clique}), 8 racks per scalable unit (block).
   */
  public static Shape nvl72(int racks) {
    List<Slot> slots = new ArrayList<>(racks * NVL72_TRAYS);
    for (int r = 0; r < racks; r++) {
      String block = String.format("b%02d", r / NVL72_RACKS_PER_SU);
      String rack = String.format("%s-r%03d", block, r % NVL72_RACKS_PER_SU);
      for (int t = 0; t < NVL72_TRAYS; t++) slots.add(new Slot(block, rack, NVL72_GPUS_PER_TRAY, "nvl72." + rack));
    }
    return named("nvl72-" + racks, nvl72Topology(), slots);
  }

  /**
   * A mixed fleet: {@code racks} GB200 NVL72 racks (as {@link #nvl72}) beside {@code h100Nodes} DGX H100
   * nodes (8 GPUs, NVLink = host, racks of 4, 32 per block), each kind in its own blocks. One topology
   * serves both, so the host level gets NVLink 5's 900; H100 ranks never share a host with another rank
   * in the streams here (8-GPU ranks), so that figure does not flatter them.
   */
  public static Shape mixed(int racks, int h100Nodes) {
    List<Slot> slots = new ArrayList<>(nvl72(racks).slots());
    int firstBlock = (racks + NVL72_RACKS_PER_SU - 1) / NVL72_RACKS_PER_SU;
    for (int i = 0; i < h100Nodes; i++) {
      String block = String.format("h%02d", firstBlock + i / 32);
      slots.add(new Slot(block, String.format("%s-r%03d", block, (i % 32) / 4)));
    }
    return named("mixed-" + racks + "x72-" + h100Nodes + "xh100", nvl72Topology(), slots);
  }

  public static Shape byName(String name) {
    if (name.equals("superpod-128")) return superpod();
    if (name.startsWith("hyperscale-")) return hyperscale(Integer.parseInt(name.substring("hyperscale-".length())));
    if (name.startsWith("nvl72-")) return nvl72(Integer.parseInt(name.substring("nvl72-".length())));
    if (name.startsWith("mixed-")) {
      String[] p = name.substring("mixed-".length()).split("x72-|xh100", -1);
      if (p.length == 3 && p[2].isEmpty()) return mixed(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }
    throw new IllegalArgumentException("unknown shape " + name + " (superpod-128, hyperscale-N, nvl72-RACKS, mixed-RACKSx72-NODESxh100)");
  }

  private static Shape named(String name, Topology topo, List<Slot> slots) {
    List<String> names = new ArrayList<>(slots.size());
    for (int i = 0; i < slots.size(); i++) names.add(String.format("gpu-%05d", i));
    Collections.shuffle(names, new Random(42));
    return new Shape(name, topo, List.copyOf(slots), List.copyOf(names));
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
    int[] capacity = new int[nodes];
    java.util.Arrays.fill(capacity, GPUS_PER_NODE);
    return occupancy(capacity, fraction, seed);
  }

  /** {@link #occupancy(int, double, long)} for nodes of unequal size: node i has {@code capacity[i]} GPUs. */
  public static int[] occupancy(int[] capacity, double fraction, long seed) {
    int nodes = capacity.length;
    Random rnd = new Random(seed);
    int[] used = new int[nodes];
    long target = Math.round(fraction * java.util.Arrays.stream(capacity).asLongStream().sum());
    long whole = Math.round(target * 0.7);
    long placed = 0;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < nodes; i++) order.add(i);
    Collections.shuffle(order, rnd);
    int k = 0;
    while (k < nodes && placed + capacity[order.get(k)] <= whole) {
      int i = order.get(k++);
      used[i] = capacity[i];
      placed += capacity[i];
    }
    int guard = 0;
    while (placed < target && k < nodes && guard++ < 100 * nodes) {
      // Partial use only on nodes not already taken whole; a node keeps at least one GPU free.
      int i = order.get(k + rnd.nextInt(nodes - k));
      int room = capacity[i] - 1 - used[i];
      if (room <= 0) continue;
      int add = (int) Math.min(1 + rnd.nextInt(room), target - placed);
      used[i] += add;
      placed += add;
    }
    return used;
  }
}
