package dev.gangway.placement;

import dev.gangway.topology.DomainTree;

/**
 * How many domains a gang needs at each level below a set of domains, were it placed inside them: the fewest whose
 * capacities reach it, level by level (largest first, exact for each level on its own). {@link BestFit} ranks its
 * choices by this before tightness. A level is counted only where leaving its domains costs bandwidth (its links are
 * faster than those between its siblings): racks whose links are no faster than the block's are not worth a roomier
 * block, which the goodput simulator's 2,048-node stream paid for in waits (0.5 points of goodput). Nor is a level
 * of one node per domain (the host level, an H100's NVLink domain): counting it would trade a tight rack for a
 * roomier one just to put ranks on fewer nodes.
 */
final class DomainSpan {

  private static final Histograms NOTHING_COUNTED = new Histograms(new int[0][][], new int[0], 0);

  private final GangFit fit;
  private final DomainTree tree;
  /** Whether each level is counted. */
  private final boolean[] counted;

  DomainSpan(GangFit fit) {
    this.fit = fit;
    this.tree = fit.tree;
    this.counted = counted(tree);
  }

  /** Whether each level above the nodes is counted: leaving its domains costs bandwidth, and they hold more than one node. */
  static boolean[] counted(DomainTree tree) {
    int nodes = tree.idsAt(tree.leafLevel()).length;
    boolean[] counted = new boolean[tree.leafLevel()];
    for (int level = 0; level < counted.length; level++) {
      // bandwidthGBps(-1) is the cross-block bandwidth, what leaves the outermost level. Every node lies in one
      // domain of each level, so as many domains as nodes means one node each.
      counted[level] = tree.topology().bandwidthGBps(level) > tree.topology().bandwidthGBps(level - 1)
          && tree.idsAt(level).length < nodes;
    }
    return counted;
  }

  /** Domains needed at each counted level from {@code fromLevel} down, inside {@code within}; empty when none is. */
  int[] of(int fromLevel, long units, boolean grouped, int... within) {
    return histograms(fromLevel, units, grouped, within).span(allOf(within.length));
  }

  /**
   * Each member's capacities per level, counted once, so that many sets of members are scored cheaply: a split
   * scores every set of the fewest children that hold the gang.
   */
  Histograms histograms(int fromLevel, long units, boolean grouped, int... members) {
    // Groups are the unit down to their own level; below it they are not split further here.
    int last = grouped ? Math.min(fit.groupLevel, counted.length - 1) : counted.length - 1;
    int levels = 0;
    for (int level = Math.max(fromLevel, 0); level <= last; level++) if (counted[level]) levels++;
    if (levels == 0) return NOTHING_COUNTED;
    int[] levelAt = new int[levels];
    for (int level = Math.max(fromLevel, 0), l = 0; level <= last; level++) if (counted[level]) levelAt[l++] = level;
    int[] top = new int[levels];
    int[][][] byMember = new int[members.length][levels][];
    for (int l = 0; l < levels; l++) {
      int[] ids = tree.idsAt(levelAt[l]);
      for (int member : members) {
        int[] range = tree.rangeAt(tree.domain(member), levelAt[l]);
        for (int k = range[0]; k < range[1]; k++) top[l] = (int) Math.max(top[l], Math.min(fit.units(ids[k], grouped), units));
      }
      for (int m = 0; m < members.length; m++) {
        int[] howMany = new int[top[l] + 1];
        int[] range = tree.rangeAt(tree.domain(members[m]), levelAt[l]);
        for (int k = range[0]; k < range[1]; k++) howMany[(int) Math.min(fit.units(ids[k], grouped), units)]++;
        byMember[m][l] = howMany;
      }
    }
    return new Histograms(byMember, top, units);
  }

  private static int[] allOf(int n) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    return all;
  }

  /** Per member and level, how many of its domains there have each capacity (clamped to the need, up to top). */
  record Histograms(int[][][] byMember, int[] top, long units) {
    private static final int[] NONE = new int[0];

    /** Domains needed at each level inside the members at indices {@code pick}. */
    int[] span(int... pick) {
      if (top.length == 0) return NONE;
      int[] counts = new int[top.length];
      for (int l = 0; l < top.length; l++) {
        int[] sum = new int[top[l] + 1];
        for (int p : pick) {
          int[] h = byMember[p][l];
          for (int c = 0; c < h.length; c++) sum[c] += h[c];
        }
        counts[l] = FewestDomains.count(sum, top[l], units);
      }
      return counts;
    }
  }
}
