package dev.gangway.placement;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The cached nodes in name order with what is free on each as plain arrays, so that a decision reads its cluster by
 * copying arrays instead of walking one object per node (at 2,048 nodes the walks, not the engine, were most of a
 * decision). Arrays are copied on write: a {@link View} shares them until the next event changes one, and that event,
 * on the informer's thread, pays for the copy. Counters say which node facts changed since a view, so a snapshot knows
 * without comparing every node whether it may reuse an earlier one's domain tree and idle views.
 *
 * <p>Not thread-safe: {@link ClusterCache} guards it with its lock. Public for callers that keep nodes without an API
 * server (the goodput simulator), so they build snapshots as the operator does.
 */
public final class CachedNodes {

  private String[] names = new String[0];
  private NodeState[] states = new NodeState[0];
  private int[] freeGpus = new int[0];
  private long[] freeCpu = new long[0];
  private long[] freeMemory = new long[0];
  private boolean[] open = new boolean[0];
  /** Whether the last view holds the arrays above: then the next change copies them first. */
  private boolean shared;
  private View last;
  private long layout;
  private long idleAtBest;
  private long idleAsNow;

  /**
   * The nodes at one instant; immutable. The counters change whenever, since another view, a node came or went or was
   * relabelled ({@code layout}), or a fact an {@link IdleCluster} reads changed ({@code idleAtBest}: allocatable or a
   * lasting taint; {@code idleAsNow}: allocatable, any taint, readiness or cordon); equal counters mean no such change.
   *
   * @param open per node: ready, not cordoned and untainted, so only its capacity can keep a rank off it
   */
  public record View(List<NodeState> nodes, int[] freeGpus, long[] freeCpu, long[] freeMemory, boolean[] open, long layout,
              long idleAtBest, long idleAsNow) {
  }

  /** The node's index, or a negative number if it is not cached. */
  int indexOf(String name) {
    return Arrays.binarySearch(names, name);
  }

  NodeState get(int index) {
    return states[index];
  }

  /** Adds the node, or replaces the cached node of that name. */
  public void put(NodeState now) {
    int i = indexOf(now.name());
    if (i < 0) {
      insert(-i - 1, now);
      return;
    }
    NodeState before = states[i];
    if (before != now) {
      boolean labels = before.labels() != now.labels() && !before.labels().equals(now.labels());
      boolean allocatable = !before.allocatable().equals(now.allocatable());
      boolean taints = before.taints() != now.taints() && !before.taints().equals(now.taints());
      if (labels) layout++;
      if (allocatable || (taints && !EmptyClusterFit.lastingTaints(before.taints()).equals(EmptyClusterFit.lastingTaints(now.taints())))) {
        idleAtBest++;
      }
      if (allocatable || taints || before.ready() != now.ready() || before.unschedulable() != now.unschedulable()) idleAsNow++;
    }
    ownArrays();
    set(i, now);
  }

  void remove(String name) {
    int i = indexOf(name);
    if (i < 0) {
      return;
    }
    int n = names.length - 1;
    names = without(names, new String[n], i);
    states = without(states, new NodeState[n], i);
    freeGpus = without(freeGpus, new int[n], i);
    freeCpu = without(freeCpu, new long[n], i);
    freeMemory = without(freeMemory, new long[n], i);
    open = without(open, new boolean[n], i);
    shared = false;
    last = null;
    changedNodes();
  }

  /** The nodes now; the same view as last time when nothing changed since. */
  public View view() {
    if (last == null) {
      last = new View(Collections.unmodifiableList(Arrays.asList(states)), freeGpus, freeCpu, freeMemory, open, layout,
          idleAtBest, idleAsNow);
      shared = true;
    }
    return last;
  }

  private void insert(int at, NodeState node) {
    int n = names.length + 1;
    names = with(names, new String[n], at);
    states = with(states, new NodeState[n], at);
    freeGpus = with(freeGpus, new int[n], at);
    freeCpu = with(freeCpu, new long[n], at);
    freeMemory = with(freeMemory, new long[n], at);
    open = with(open, new boolean[n], at);
    shared = false;
    names[at] = node.name();
    set(at, node);
    changedNodes();
  }

  private void changedNodes() {
    layout++;
    idleAtBest++;
    idleAsNow++;
  }

  private void set(int i, NodeState node) {
    states[i] = node;
    ClusterSnapshot.fill(node, i, freeGpus, freeCpu, freeMemory, open);
    last = null;
  }

  private void ownArrays() {
    if (shared) {
      states = states.clone();
      freeGpus = freeGpus.clone();
      freeCpu = freeCpu.clone();
      freeMemory = freeMemory.clone();
      open = open.clone();
      shared = false;
    }
  }

  /** {@code from} with a free slot at {@code at}, in {@code to} (one longer). */
  private static <A> A with(A from, A to, int at) {
    int n = java.lang.reflect.Array.getLength(from);
    System.arraycopy(from, 0, to, 0, at);
    System.arraycopy(from, at, to, at + 1, n - at);
    return to;
  }

  /** {@code from} without slot {@code at}, in {@code to} (one shorter). */
  private static <A> A without(A from, A to, int at) {
    int n = java.lang.reflect.Array.getLength(to);
    System.arraycopy(from, 0, to, 0, at);
    System.arraycopy(from, at + 1, to, at, n - at);
    return to;
  }
}
