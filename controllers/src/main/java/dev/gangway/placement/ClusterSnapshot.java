package dev.gangway.placement;

import dev.gangway.topology.DomainTree;
import dev.gangway.topology.Topology;
import dev.gangway.topology.TopologyNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster at one instant, immutable: topology, nodes and other gangs' reservations. The domain
 * tree and the per-node reservation totals are computed once here so that each decision is linear in
 * the number of nodes.
 */
public final class ClusterSnapshot {

  private final Topology topology;
  private final List<NodeState> nodes;
  private final List<Reservation> reservations;
  private final Map<String, Integer> indexByName;
  private final DomainTree tree;
  private final int[] freeGpus;
  private final long[] freeCpu;
  private final long[] freeMemory;
  /** Per node: ready, not cordoned and untainted, so only its capacity can keep a rank off it. */
  private final boolean[] open;
  /** The nodes idle and at their best, for {@link EmptyClusterFit}; shared with snapshots whose nodes are the same there. */
  private final IdleCluster idleAtBest;
  /** The nodes idle but as healthy as now, for {@link HeadReservation}; shared likewise. */
  private final IdleCluster idleAsNow;

  public ClusterSnapshot(Topology topology, List<NodeState> nodes, List<Reservation> reservations) {
    this(topology, sortedByName(nodes), null, reservations);
  }

  /**
   * The cluster as {@code nodes} and {@code reservations} say, like the constructor, but reusing the shape of
   * {@code previous} (its node order, name index and domain tree) when {@code nodes} are its nodes, in its order
   * ({@link #nodes()}: by name), with the same labels, on an equal topology: one sweep over the domains instead of
   * sorting every label into a new tree. Otherwise, or when {@code previous} is null, it is built from scratch. Either
   * way the result decides exactly as {@code new ClusterSnapshot(topology, nodes, reservations)} would.
   */
  public static ClusterSnapshot reusingShape(ClusterSnapshot previous, Topology topology, List<NodeState> nodes,
      List<Reservation> reservations) {
    if (previous == null || !previous.sameShape(topology, nodes)) return new ClusterSnapshot(topology, nodes, reservations);
    return new ClusterSnapshot(topology, List.copyOf(nodes), previous, reservations);
  }

  /**
   * The cluster as {@link CachedNodes} holds it, on the shape of {@code shape}, an earlier snapshot of the same nodes
   * with the same labels ({@link #sameTopology} to {@code shape}'s): nothing here walks the nodes, every per-node fact
   * comes in arrays, which the snapshot takes over. Decides exactly as {@code new ClusterSnapshot(topology, nodes,
   * reservations)} would.
   *
   * @param nodes in {@code shape}'s order (by name), each with what it uses
   * @param freeGpus per node, allocatable minus used (likewise {@code freeCpu} and {@code freeMemory})
   * @param open per node: ready, not cordoned, untainted
   * @param sameAtBest whether the facts {@link #idleAtBest()} reads are {@code shape}'s; {@code sameAsNow} likewise
   */
  public static ClusterSnapshot onShape(ClusterSnapshot shape, List<NodeState> nodes, int[] freeGpus, long[] freeCpu,
      long[] freeMemory, boolean[] open, boolean sameAtBest, boolean sameAsNow, List<Reservation> reservations) {
    return new ClusterSnapshot(shape, nodes, freeGpus, freeCpu, freeMemory, open, sameAtBest, sameAsNow, reservations);
  }

  private ClusterSnapshot(ClusterSnapshot shape, List<NodeState> nodes, int[] freeGpus, long[] freeCpu, long[] freeMemory,
      boolean[] open, boolean sameAtBest, boolean sameAsNow, List<Reservation> reservations) {
    this.topology = shape.topology;
    this.nodes = nodes;
    this.reservations = List.copyOf(reservations);
    this.indexByName = shape.indexByName;
    this.idleAtBest = sameAtBest ? shape.idleAtBest : new IdleCluster(EmptyClusterFit::atBest);
    this.idleAsNow = sameAsNow ? shape.idleAsNow : new IdleCluster(ClusterSnapshot::idleAsNow);
    this.freeGpus = freeGpus;
    this.freeCpu = freeCpu;
    this.freeMemory = freeMemory;
    this.open = open;
    reserve(this.reservations, indexByName, freeGpus, freeCpu, freeMemory);
    this.tree = shape.tree.withFreeGpus(freeGpus);
  }

  /** Whether a snapshot on {@code other} may share this one's tree: the same levels and bandwidths. */
  boolean sameTopology(Topology other) {
    return other == topology || (other.levels().equals(topology.levels())
        && other.crossBlockBandwidthGBps() == topology.crossBlockBandwidthGBps());
  }

  private boolean sameShape(Topology other, List<NodeState> candidates) {
    if (candidates.size() != nodes.size()) return false;
    if (!sameTopology(other)) return false;
    for (int i = 0; i < candidates.size(); i++) {
      NodeState a = candidates.get(i);
      NodeState b = nodes.get(i);
      if (a == b) continue;
      if (!a.name().equals(b.name()) || (a.labels() != b.labels() && !a.labels().equals(b.labels()))) return false;
    }
    return true;
  }

  private static List<NodeState> sortedByName(List<NodeState> nodes) {
    // Node-name order makes decisions independent of the order the API server listed nodes in.
    List<NodeState> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing(NodeState::name));
    return List.copyOf(sorted);
  }

  /** @param shape a snapshot of the same nodes (names and labels, in this order) whose index and tree to reuse, or null */
  private ClusterSnapshot(Topology topology, List<NodeState> sorted, ClusterSnapshot shape, List<Reservation> reservations) {
    this.topology = topology;
    this.nodes = sorted;
    this.reservations = List.copyOf(reservations);
    if (shape != null) {
      this.indexByName = shape.indexByName;
      boolean[] same = sameIdle(shape.nodes, sorted);
      this.idleAtBest = same[0] ? shape.idleAtBest : new IdleCluster(EmptyClusterFit::atBest);
      this.idleAsNow = same[1] ? shape.idleAsNow : new IdleCluster(ClusterSnapshot::idleAsNow);
    } else {
      this.idleAtBest = new IdleCluster(EmptyClusterFit::atBest);
      this.idleAsNow = new IdleCluster(ClusterSnapshot::idleAsNow);
      this.indexByName = new HashMap<>(this.nodes.size() * 2);
      for (int i = 0; i < this.nodes.size(); i++) {
        if (indexByName.put(this.nodes.get(i).name(), i) != null) {
          throw new IllegalArgumentException("node " + this.nodes.get(i).name() + " is listed twice");
        }
      }
    }
    this.freeGpus = new int[this.nodes.size()];
    this.freeCpu = new long[this.nodes.size()];
    this.freeMemory = new long[this.nodes.size()];
    this.open = new boolean[this.nodes.size()];
    fillFree(this.nodes);
    reserve(this.reservations, indexByName, freeGpus, freeCpu, freeMemory);
    if (shape != null) {
      this.tree = shape.tree.withFreeGpus(freeGpus);
    } else {
      List<TopologyNode> topoNodes = new ArrayList<>(this.nodes.size());
      for (int i = 0; i < this.nodes.size(); i++) {
        NodeState n = this.nodes.get(i);
        topoNodes.add(new TopologyNode(n.name(), n.labels(), freeGpus[i]));
      }
      this.tree = DomainTree.build(topology, topoNodes);
    }
  }

  public ClusterSnapshot(Topology topology, List<NodeState> nodes) {
    this(topology, nodes, List.of());
  }

  /** Takes each reservation off its node's free arrays. */
  private static void reserve(List<Reservation> reservations, Map<String, Integer> indexByName, int[] freeGpus,
      long[] freeCpu, long[] freeMemory) {
    for (Reservation r : reservations) {
      Integer i = indexByName.get(r.node());
      if (i == null) continue; // reservation on a node that is gone: nothing to hold
      Resources held = r.resources();
      freeGpus[i] -= held.gpus();
      freeCpu[i] -= held.cpuMillis();
      freeMemory[i] -= held.memoryBytes();
    }
  }

  /**
   * Whether the idle views of {@code before} hold for {@code after} (the same nodes, in the same order): [0] at their
   * best (same allocatable and lasting taints), [1] as healthy as now (same allocatable, taints, readiness, cordon).
   */
  private static boolean[] sameIdle(List<NodeState> before, List<NodeState> after) {
    boolean atBest = true;
    boolean asNow = true;
    for (int i = 0; i < after.size() && (atBest || asNow); i++) {
      NodeState a = before.get(i);
      NodeState b = after.get(i);
      if (a == b) continue;
      boolean allocatable = a.allocatable().equals(b.allocatable());
      boolean taints = a.taints() == b.taints() || a.taints().equals(b.taints());
      asNow &= allocatable && taints && a.ready() == b.ready() && a.unschedulable() == b.unschedulable();
      atBest &= allocatable && (taints || EmptyClusterFit.lastingTaints(a.taints()).equals(EmptyClusterFit.lastingTaints(b.taints())));
    }
    return new boolean[] {atBest, asNow};
  }

  /** The node idle, its health as now. */
  private static NodeState idleAsNow(NodeState n) {
    return new NodeState(n.name(), n.labels(), n.taints(), n.unschedulable(), n.ready(), n.allocatable(), Resources.NONE);
  }

  /** These nodes idle and at their best; see {@link IdleCluster}. */
  IdleCluster idleAtBest() { return idleAtBest; }

  /** These nodes idle, as healthy as now; see {@link IdleCluster}. */
  IdleCluster idleAsNow() { return idleAsNow; }

  private ClusterSnapshot(ClusterSnapshot shape, List<NodeState> nodes) {
    this.topology = shape.topology;
    this.nodes = List.copyOf(nodes);
    this.reservations = List.of();
    this.indexByName = shape.indexByName;
    this.tree = shape.tree;
    this.idleAtBest = new IdleCluster(EmptyClusterFit::atBest);
    this.idleAsNow = new IdleCluster(ClusterSnapshot::idleAsNow);
    this.freeGpus = new int[nodes.size()];
    this.freeCpu = new long[nodes.size()];
    this.freeMemory = new long[nodes.size()];
    this.open = new boolean[nodes.size()];
    fillFree(this.nodes);
  }

  /** Allocatable minus used, and whether open, per node; a hot loop of every snapshot, so without a Resources per node. */
  private void fillFree(List<NodeState> sorted) {
    for (int i = 0; i < sorted.size(); i++) {
      fill(sorted.get(i), i, freeGpus, freeCpu, freeMemory, open);
    }
  }

  /** Writes what is free on {@code n} (allocatable minus used), and whether it is open, at {@code i} of the arrays. */
  static void fill(NodeState n, int i, int[] freeGpus, long[] freeCpu, long[] freeMemory, boolean[] open) {
    Resources a = n.allocatable();
    Resources u = n.used();
    freeGpus[i] = a.gpus() - u.gpus();
    freeCpu[i] = a.cpuMillis() - u.cpuMillis();
    freeMemory[i] = a.memoryBytes() - u.memoryBytes();
    open[i] = n.open();
  }

  /**
   * The same nodes, each replaced by {@code as} (same name), without reservations: for counting what a
   * gang could get in a hypothetical cluster (an idle one, say) without building the domain tree again.
   * The tree, and so its free-GPU counts that only break ties, stay this snapshot's: count capacity on
   * the result, do not place on it.
   */
  ClusterSnapshot withCapacityOf(java.util.function.UnaryOperator<NodeState> as) {
    List<NodeState> changed = new ArrayList<>(nodes.size());
    for (NodeState n : nodes) {
      NodeState c = as.apply(n);
      if (!c.name().equals(n.name())) throw new IllegalArgumentException("node " + n.name() + " became " + c.name());
      changed.add(c);
    }
    return new ClusterSnapshot(this, changed);
  }

  public Topology topology() { return topology; }

  /** Nodes sorted by name; indexes into this list are the tree's node indexes. */
  public List<NodeState> nodes() { return nodes; }

  public NodeState node(int index) { return nodes.get(index); }

  public List<Reservation> reservations() { return reservations; }

  public DomainTree tree() { return tree; }

  /** Index of the named node, or -1. */
  public int indexOf(String nodeName) {
    Integer i = indexByName.get(nodeName);
    return i == null ? -1 : i;
  }

  /** What the job {@code jobKey} may use on node {@code index}: free minus everyone else's reservations. */
  public Resources freeFor(String jobKey, int index) {
    Resources free = new Resources(freeGpus[index], freeCpu[index], freeMemory[index]);
    Resources mine = ownReservations(jobKey).get(index);
    return mine == null ? free : free.plus(mine);
  }

  /** The job's own reservations by node index (empty for most jobs); they are free to it. */
  Map<Integer, Resources> ownReservations(String jobKey) {
    // Asked for one job per decision: a scan of the reservations, not a map of every job's built for each snapshot.
    Map<Integer, Resources> own = null;
    for (Reservation r : jobKey == null ? List.<Reservation>of() : reservations) {
      Integer i = jobKey.equals(r.jobKey()) ? indexByName.get(r.node()) : null;
      if (i == null) continue;
      if (own == null) own = new HashMap<>();
      own.merge(i, r.resources(), Resources::plus);
    }
    return own == null ? Map.of() : own;
  }

  int freeGpus(int index) { return freeGpus[index]; }

  long freeCpu(int index) { return freeCpu[index]; }

  long freeMemory(int index) { return freeMemory[index]; }

  /** Whether node {@code index} is ready, not cordoned and untainted: only its capacity can keep a rank off it. */
  boolean open(int index) { return open[index]; }
}
