package dev.gangway.placement;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What placement knows of the cluster, kept current one informer event at a time instead of rebuilt from every pod
 * for each decision (as Kueue's topology-aware scheduling keeps its cache): each node's labels, taints, health and
 * allocatable with what its bound, non-terminated pods use, and the reservations of rank pods placed but not bound
 * yet. The rules are {@link SnapshotFactory}'s, applied per event; a snapshot from here equals
 * {@link SnapshotFactory#from} over the same nodes and pods.
 *
 * <p>The operator feeds it from the informers' stores as they change, so it is never behind what a reconcile reads
 * from the same informers: a pod that a reconcile has seen is counted here too, and a newly elected leader, whose
 * informers have synced before its first reconcile, has every pod here before its first decision.
 *
 * <p>Thread-safe. Events and reads take this object's lock briefly; a read takes an immutable {@link Reading}, so
 * a decision never sees an event half applied and never holds up the informer while it decides. The nodes' free
 * capacity is kept in arrays ({@link CachedNodes}) that a read shares and the next event copies, so a read costs
 * no walk over the nodes.
 */
public final class ClusterCache {

  private final Map<String, CachedPod> pods = new HashMap<>();
  /** By node name, bound pods whose node may not be (or no longer be) cached: they count if it comes back. */
  private final Map<String, Resources> usedByNode = new HashMap<>();
  /** By node name, sorted: the node as placement sees it, with {@link #usedByNode} applied. */
  private final CachedNodes nodes = new CachedNodes();
  private final Map<String, CachedPod> reserving = new HashMap<>();
  /** The latest snapshot per topology (its levels), whose shape the next one reuses while nodes and labels stay. */
  private final Map<List<Level>, Shape> shapes = new ConcurrentHashMap<>();
  /** Told when capacity may have been freed; see {@link #ClusterCache(Runnable)}. */
  private final Runnable freed;

  public ClusterCache() {
    this(() -> { });
  }

  /**
   * @param freed told, inside the event that caused it and under this cache's lock (so it must only hand the news on),
   *     whenever a pod stops holding capacity (it ends, is deleted, or loses its placement) or a node opens up (added,
   *     Ready again, uncordoned, a taint lifted, more GPUs): what a gang waiting for capacity waits for. Never told of
   *     a pod created, reserved or bound, so placing a gang never announces freed capacity by itself.
   */
  public ClusterCache(Runnable freed) {
    this.freed = freed;
  }

  /** A snapshot and the {@link CachedNodes.View} counters it was built at: while they stay, its tree holds. */
  private record Shape(ClusterSnapshot snapshot, long layout, long idleAtBest, long idleAsNow) {
  }

  /**
   * A placement decision held capacity for pods not created yet and was dropped ({@link GangPlacer#release}): freed
   * without any pod or node event, so told here. Not under this cache's lock: the news is only handed on.
   */
  public void heldCapacityReleased() {
    freed.run();
  }

  /** A pod was added or changed. */
  public synchronized void put(Pod pod) {
    CachedPod now = CachedPod.of(pod);
    CachedPod before = pods.put(now.key(), now);
    if (before != null) {
      unapply(before);
    }
    apply(now);
    if (before != null && before.holds() && !now.holds()) {
      freed.run();
    }
  }

  /** A pod was deleted (by its "namespace/name"). */
  public synchronized void removePod(String key) {
    CachedPod before = pods.remove(key);
    if (before != null) {
      unapply(before);
      if (before.holds()) {
        freed.run();
      }
    }
  }

  /** A node was added or changed. */
  public synchronized void put(Node node) {
    String name = node.getMetadata().getName();
    NodeState now = SnapshotFactory.state(node, usedByNode.getOrDefault(name, Resources.NONE));
    int i = nodes.indexOf(name);
    NodeState before = i < 0 ? null : nodes.get(i);
    if (before != null && before.labels().equals(now.labels())) {
      // Same labels, same map instance: the next snapshot sees its shape unchanged without comparing every label.
      now = new NodeState(name, before.labels(), now.taints(), now.unschedulable(), now.ready(), now.allocatable(), now.used());
    }
    nodes.put(now);
    if (NodeState.opened(before, now)) {
      freed.run();
    }
  }

  /** A node was deleted. What pods bound to it use stays counted under its name, should it come back. */
  public synchronized void removeNode(String name) {
    nodes.remove(name);
  }

  /**
   * One consistent read: every cached node, the reservations, and what is cached of the pods named in {@code podKeys}
   * (a decision asks for the pods its held decisions and its leaving pods are about). Copies references only.
   */
  public synchronized Reading read(Collection<String> podKeys) {
    Map<String, CachedPod> asked = new HashMap<>();
    for (String key : podKeys) {
      CachedPod pod = pods.get(key);
      if (pod != null) {
        asked.put(key, pod);
      }
    }
    return new Reading(nodes.view(), List.copyOf(reserving.values()), asked, shapes);
  }

  /**
   * GPUs free now on Ready, schedulable nodes, less those reserved by pods placed but not bound: an upper bound on what
   * a gang can be given (a tainted node counts, since some gangs tolerate it; decisions whose pods the cache does not
   * show yet, and nodes a gang avoids, are not taken off).
   */
  public synchronized long freeGpus() {
    long free = 0;
    for (NodeState node : nodes.view().nodes()) {
      if (node.ready() && !node.unschedulable()) {
        free += Math.max(0, node.free().gpus());
      }
    }
    for (CachedPod pod : reserving.values()) {
      free -= pod.resources().gpus();
    }
    return Math.max(0, free);
  }

  /** Pods cached now. */
  public synchronized int podCount() {
    return pods.size();
  }

  private void apply(CachedPod pod) {
    if (pod.uses()) {
      usedByNode.merge(pod.node(), pod.resources(), Resources::plus);
      refresh(pod.node());
    } else if (pod.reserves()) {
      reserving.put(pod.key(), pod);
    }
  }

  private void unapply(CachedPod pod) {
    if (pod.uses()) {
      // A pod that asks for nothing leaves no entry behind it.
      Resources left = usedByNode.getOrDefault(pod.node(), Resources.NONE).minus(pod.resources());
      if (left.equals(Resources.NONE)) {
        usedByNode.remove(pod.node());
      } else {
        usedByNode.put(pod.node(), left);
      }
      refresh(pod.node());
    } else if (pod.reserves()) {
      reserving.remove(pod.key());
    }
  }

  private void refresh(String node) {
    int i = nodes.indexOf(node);
    if (i >= 0) {
      nodes.put(nodes.get(i).withUsed(usedByNode.getOrDefault(node, Resources.NONE)));
    }
  }

  /** The cluster as one read found it; immutable. */
  public static final class Reading {
    private final CachedNodes.View nodes;
    private final List<CachedPod> reserving;
    private final Map<String, CachedPod> asked;
    private final Map<List<Level>, Shape> shapes;

    /**
     * @param nodes every cached node, sorted by name, with what bound pods use
     * @param reserving pods placed (annotated) but not bound yet, not terminated
     * @param asked what is cached of the pods the read asked for; a pod not cached is absent
     */
    private Reading(CachedNodes.View nodes, List<CachedPod> reserving, Map<String, CachedPod> asked,
                    Map<List<Level>, Shape> shapes) {
      this.nodes = nodes;
      this.reserving = reserving;
      this.asked = asked;
      this.shapes = shapes;
    }

    List<NodeState> nodes() {
      return nodes.nodes();
    }

    List<CachedPod> reserving() {
      return reserving;
    }

    /** What is cached of an asked-for pod, or null. */
    CachedPod pod(String key) {
      return asked.get(key);
    }

    /** The snapshot of {@link SnapshotFactory#from} over these nodes and pods. */
    public ClusterSnapshot snapshot(Topology topology) {
      return snapshot(topology, Set.of(), List.of());
    }

    /**
     * The snapshot as if the {@code ignored} pods (asked for in the read) were not there, plus {@code extra}
     * reservations: a restarting job's leaving pods free their GPUs for it, and a rank a held decision speaks for
     * is counted from that decision, not from its pod.
     */
    public ClusterSnapshot snapshot(Topology topology, Set<String> ignored, List<Reservation> extra) {
      List<NodeState> states = nodes.nodes();
      // The snapshot takes over these copies (it takes reservations off them); the view's stay shared.
      int[] freeGpus = nodes.freeGpus().clone();
      long[] freeCpu = nodes.freeCpu().clone();
      long[] freeMemory = nodes.freeMemory().clone();
      List<Reservation> reservations = new ArrayList<>(extra.size() + reserving.size());
      reservations.addAll(extra);
      for (CachedPod pod : reserving) {
        if (!ignored.contains(pod.key())) {
          reservations.add(pod.reservation());
        }
      }
      for (String key : ignored) {
        CachedPod pod = asked.get(key);
        if (pod == null || !pod.uses()) {
          continue;
        }
        int i = indexOf(states, pod.node());
        if (i >= 0) {
          if (states == nodes.nodes()) {
            states = new ArrayList<>(states);
          }
          Resources freed = pod.resources();
          states.set(i, states.get(i).withUsed(states.get(i).used().minus(freed)));
          freeGpus[i] += freed.gpus();
          freeCpu[i] += freed.cpuMillis();
          freeMemory[i] += freed.memoryBytes();
        }
      }
      // The tree is rebuilt only when nodes came, went or were relabelled since the last snapshot on this topology.
      Shape last = shapes.get(topology.levels());
      ClusterSnapshot built;
      if (last != null && last.layout() == nodes.layout() && last.snapshot().sameTopology(topology)) {
        built = ClusterSnapshot.onShape(last.snapshot(), states, freeGpus, freeCpu, freeMemory, nodes.open(),
            last.idleAtBest() == nodes.idleAtBest(), last.idleAsNow() == nodes.idleAsNow(), reservations);
      } else {
        built = new ClusterSnapshot(topology, states, reservations);
      }
      shapes.put(topology.levels(), new Shape(built, nodes.layout(), nodes.idleAtBest(), nodes.idleAsNow()));
      return built;
    }

    private static int indexOf(List<NodeState> sorted, String name) {
      int lo = 0;
      int hi = sorted.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = sorted.get(mid).name().compareTo(name);
        if (c == 0) {
          return mid;
        }
        if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return -1;
    }
  }
}
