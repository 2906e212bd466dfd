package dev.gangway.bench;

import dev.gangway.placement.GangRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Topology-blind schedulers to measure the engine against, on the same free GPUs. Both are all or
 * nothing (like a gang scheduler without topology) and return null when the gang does not fit.
 */
final class Baselines {

  private Baselines() {
  }

  /** First fit in node-name order: each rank to the first node, by name, that still has room. */
  static List<String> firstFit(List<String> names, int[] freeGpus, GangRequest req) {
    int g = Math.max(1, req.gpusPerRank());
    Integer[] order = byName(names);
    int[] free = freeGpus.clone();
    List<String> out = new ArrayList<>(req.replicas());
    int i = 0;
    for (int r = 0; r < req.replicas(); r++) {
      while (i < order.length && free[order[i]] < g) i++;
      if (i == order.length) return null;
      free[order[i]] -= g;
      out.add(names.get(order[i]));
    }
    return out;
  }

  /**
   * Spread, like kube-scheduler's default LeastAllocated scoring: each rank to the node with the most
   * free GPUs, ties by name.
   */
  static List<String> spread(List<String> names, int[] freeGpus, GangRequest req) {
    int g = Math.max(1, req.gpusPerRank());
    int[] free = freeGpus.clone();
    PriorityQueue<Integer> most = new PriorityQueue<>((a, b) -> free[a] != free[b] ? Integer.compare(free[b], free[a])
        : names.get(a).compareTo(names.get(b)));
    for (int i = 0; i < free.length; i++) if (free[i] >= g) most.add(i);
    List<String> out = new ArrayList<>(req.replicas());
    for (int r = 0; r < req.replicas(); r++) {
      Integer n = most.poll();
      if (n == null) return null;
      free[n] -= g;
      out.add(names.get(n));
      if (free[n] >= g) most.add(n);
    }
    return out;
  }

  private static Integer[] byName(List<String> names) {
    Integer[] order = new Integer[names.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> names.get(a).compareTo(names.get(b)));
    return order;
  }
}
