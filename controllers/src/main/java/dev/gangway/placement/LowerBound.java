package dev.gangway.placement;

import dev.gangway.topology.Topology;

/**
 * The best any placement could do for this gang on this free capacity, level by level: the fewest
 * domains that can hold it (largest-first greedy, exact for one level on its own), the ring hops that
 * forces, and the all-reduce time if the slowest link were the best those counts allow. Levels are
 * bounded separately, so the bound may be unreachable all at once; it never overstates what is possible.
 */
record LowerBound(int[] domains, int[] crossings, int slowestSharedLevel, double seconds, double cost) {

  static LowerBound of(GangFit fit, Topology topo, int ranks, long units, boolean grouped, int gpusPerRank, long bytes) {
    int depth = topo.depth();
    int[] domains = new int[depth];
    for (int level = 0; level < depth; level++) {
      boolean inGroups = grouped && level <= fit.groupLevel;
      long need = inGroups ? units : ranks;
      // Fewest domains whose capacities reach the need: largest first. Capacities are clamped to the need
      // (which changes no answer) so a counting pass over need+1 buckets replaces a sort.
      int[] ids = fit.tree.idsAt(level);
      int cap = (int) Math.min(need, Integer.MAX_VALUE - 1);
      int[] howMany = new int[cap + 1];
      for (int id : ids) {
        long c = inGroups ? fit.groupCap[id] : fit.rankCap[id];
        howMany[(int) Math.min(c, cap)]++;
      }
      int count = FewestDomains.count(howMany, cap, need);
      // A placement spanning k domains of a level spans at least k below it.
      domains[level] = Math.max(count, level > 0 ? domains[level - 1] : 1);
    }
    int[] crossings = new int[depth];
    int firstSplit = depth;
    for (int level = 0; level < depth; level++) {
      crossings[level] = ranks > 1 && domains[level] > 1 ? domains[level] : 0;
      if (crossings[level] > 0 && firstSplit == depth) firstSplit = level;
    }
    // The ring must cross the first split level, so its hops share at best the level above it.
    int slowest = depth - 1;
    if (ranks > 1) {
      for (int l = Math.min(firstSplit - 1, depth - 1); l < depth; l++) {
        if (topo.bandwidthGBps(l) < topo.bandwidthGBps(slowest)) slowest = l;
      }
    }
    double cost = 0;
    if (ranks > 1) {
      int previous = 0;
      for (int level = 0; level < depth; level++) {
        cost += (crossings[level] - previous) / topo.bandwidthGBps(level - 1);
        previous = crossings[level];
      }
      cost += (ranks - previous) / topo.bandwidthGBps(depth - 1);
    }
    double seconds = RingCost.allReduceSeconds(ranks * (long) Math.max(1, gpusPerRank), topo.bandwidthGBps(slowest), bytes);
    return new LowerBound(domains, crossings, slowest, seconds, cost);
  }
}
