package dev.gangway.placement;

import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import dev.gangway.topology.Topology;

/**
 * What a ring all-reduce over ranks 0→1→…→n−1→0 costs on a given assignment: domains spanned and ring
 * hops crossing each level, the slowest link the ring uses, and the predicted time
 * T ≈ 2(p−1)/p · bytes / B (latency ignored: for the large messages of gradient all-reduce the
 * bandwidth term dominates), p being the GPUs in the ring and B the slowest link's per-GPU bandwidth.
 *
 * @param domainsSpanned distinct domains per topology level
 * @param crossings ring hops whose two ranks are in different domains of that level
 * @param slowestSharedLevel deepest level shared by the worst hop; {@link Topology#NO_SHARED_LEVEL} for none
 * @param seconds predicted all-reduce time of the message
 * @param cost the sum over ring hops of 1/bandwidth (seconds per GB): unlike the time, it still
 *     tells apart two placements with the same slowest link but different numbers of slow hops
 */
public record RingCost(int[] domainsSpanned, int[] crossings, int slowestSharedLevel, double seconds, double cost) {

  public static RingCost measure(DomainTree tree, int[] nodeOfRank, int gpusPerRank, long messageBytes) {
    Topology topo = tree.topology();
    int depth = topo.depth();
    int n = nodeOfRank.length;
    int[] spanned = new int[depth];
    boolean[] seen = new boolean[tree.size()];
    for (int node : nodeOfRank) {
      for (Domain d = tree.leafOf(node).parent(); d != null && d.level() >= 0 && !seen[d.id()]; d = d.parent()) {
        seen[d.id()] = true;
        spanned[d.level()]++;
      }
    }
    int[] crossings = new int[depth];
    int slowest = depth - 1;
    double cost = 0;
    if (n > 1) {
      for (int r = 0; r < n; r++) {
        int shared = sharedLevel(tree, nodeOfRank[r], nodeOfRank[(r + 1) % n]);
        for (int l = shared + 1; l < depth; l++) crossings[l]++;
        if (topo.bandwidthGBps(shared) < topo.bandwidthGBps(slowest)) slowest = shared;
        cost += 1.0 / topo.bandwidthGBps(shared);
      }
    }
    return new RingCost(spanned, crossings, slowest, allReduceSeconds(n * (long) Math.max(1, gpusPerRank),
        topo.bandwidthGBps(slowest), messageBytes), cost);
  }

  /** Deepest topology level two nodes share: the deepest level for the same node, NO_SHARED_LEVEL for none. */
  static int sharedLevel(DomainTree tree, int nodeA, int nodeB) {
    if (nodeA == nodeB) return tree.leafLevel() - 1;
    Domain a = tree.leafOf(nodeA).parent();
    Domain b = tree.leafOf(nodeB).parent();
    while (a != b) {
      a = a.parent();
      b = b.parent();
    }
    return a.level() < 0 ? Topology.NO_SHARED_LEVEL : a.level();
  }

  static double allReduceSeconds(long gpus, double bandwidthGBps, long bytes) {
    if (gpus <= 1) return 0;
    return 2.0 * (gpus - 1) / gpus * bytes / (bandwidthGBps * 1e9);
  }
}
