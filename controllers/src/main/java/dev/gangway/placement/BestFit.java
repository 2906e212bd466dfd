package dev.gangway.placement;

import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses the domains and nodes of a gang and numbers its ranks.
 *
 * <p>At each step it looks for the deepest level inside the current domain where one domain holds
 * what is left, and takes the tightest such domain (least room to spare, then fewest free GPUs), so
 * big domains stay whole for big gangs. When no child can hold it alone, it splits across as few
 * children as possible and, among such choices, fills the fullest ones first. Ranks are emitted by a
 * depth-first walk, so consecutive ranks share the deepest domain they can and a ring over them
 * crosses each boundary once per domain.
 */
final class BestFit {

  private final GangFit fit;
  private final DomainTree tree;
  private final int[] nodeOfRank;
  private int next;

  BestFit(GangFit fit, int ranks) {
    this.fit = fit;
    this.tree = fit.tree;
    this.nodeOfRank = new int[ranks];
  }

  /** Tightest domain at the deepest level in [minLevel, deepest] inside {@code within} holding {@code units}; null if none. */
  Domain tightestDeepest(Domain within, long units, boolean grouped, int minLevel) {
    int deepest = grouped ? fit.groupLevel : tree.leafLevel();
    for (int level = deepest; level >= Math.max(minLevel, 0); level--) {
      int[] ids = tree.idsAt(level);
      int[] range = tree.rangeAt(within, level);
      int best = -1;
      long bestCap = Long.MAX_VALUE;
      for (int k = range[0]; k < range[1]; k++) {
        int id = ids[k];
        long cap = fit.units(id, grouped);
        if (cap < units) continue;
        if (cap < bestCap || (cap == bestCap && tree.freeGpusOf(id) < tree.freeGpusOf(best))) {
          best = id;
          bestCap = cap;
        }
      }
      if (best >= 0) return tree.domain(best);
    }
    return null;
  }

  /** Places {@code units} inside {@code d}, which must hold them. */
  void place(Domain d, long units, boolean grouped) {
    Domain e = tightestDeepest(d, units, grouped, d.level() + 1);
    descend(e == null ? d : e, units, grouped);
  }

  /** Places {@code units} in {@code d} itself: on the node, in its groups, or split over its children. */
  void descend(Domain d, long units, boolean grouped) {
    if (grouped && d.level() == fit.groupLevel) {
      // Inside one group-level domain the groups are just consecutive ranks.
      place(d, units * fit.groupSize, false);
      return;
    }
    if (d.isNode()) {
      for (long i = 0; i < units; i++) nodeOfRank[next++] = d.nodeIndex();
      return;
    }
    for (long[] share : split(d.children(), units, grouped)) {
      place(tree.domain((int) share[0]), share[1], grouped);
    }
  }

  /**
   * Fewest children that together hold {@code units}, preferring the fullest: with k the minimum,
   * the i-th pick is the smallest child that still lets the largest remaining k-1-i finish the job.
   * Returns (domain id, units) pairs in tree order.
   */
  private List<long[]> split(List<Domain> children, long units, boolean grouped) {
    int m = 0;
    long[] cap = new long[children.size()];
    int[] ids = new int[children.size()];
    for (Domain c : children) {
      long u = fit.units(c.id(), grouped);
      if (u > 0) {
        cap[m] = u;
        ids[m++] = c.id();
      }
    }
    Integer[] order = new Integer[m];
    for (int i = 0; i < m; i++) order[i] = i;
    // Largest first; among equals the emptier first, so the fullest sit last where picks come from.
    Arrays.sort(order, (a, b) -> {
      if (cap[a] != cap[b]) return Long.compare(cap[b], cap[a]);
      int fa = tree.freeGpusOf(ids[a]);
      int fb = tree.freeGpusOf(ids[b]);
      if (fa != fb) return Integer.compare(fb, fa);
      return Integer.compare(ids[b], ids[a]);
    });
    long[] sorted = new long[m];
    long[] prefix = new long[m + 1];
    for (int i = 0; i < m; i++) {
      sorted[i] = cap[order[i]];
      prefix[i + 1] = prefix[i] + sorted[i];
    }
    int k = 1;
    while (k <= m && prefix[k] < units) k++;
    if (k > m) throw new IllegalStateException("split called on a domain that cannot hold " + units + " units");
    boolean[] taken = new boolean[m];
    List<long[]> shares = new ArrayList<>(k);
    long left = units;
    for (int i = 0; i < k; i++) {
      int j = k - 1 - i;
      long threshold = left - prefix[j];
      int p = lastAtLeast(sorted, threshold);
      while (taken[p]) p--;
      long take = Math.min(sorted[p], left);
      taken[p] = true;
      shares.add(new long[] {ids[order[p]], take});
      left -= take;
    }
    shares.sort((a, b) -> Long.compare(a[0], b[0]));
    return shares;
  }

  /** Last index of a descending array whose value is at least {@code x}; the array's first value is. */
  private static int lastAtLeast(long[] desc, long x) {
    int lo = 0;
    int hi = desc.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (desc[mid] >= x) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  int[] nodeOfRank() {
    if (next != nodeOfRank.length) {
      throw new IllegalStateException("placed " + next + " of " + nodeOfRank.length + " ranks");
    }
    return nodeOfRank;
  }
}
