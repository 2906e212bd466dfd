package dev.gangway.placement;

import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of one gang fits where: ranks per domain (and whole groups per domain at and above the
 * group level), with the nodes that cannot host a rank counted by reason. One linear pass over nodes
 * and one over domains; the selection then reads only these arrays.
 */
final class GangFit {

  final DomainTree tree;
  final long[] rankCap;
  final long[] groupCap;
  /** Ranks per group, 1 when the gang has no groups. */
  final int groupSize;
  /** Level each group must share; -1 when the gang has no groups. */
  final int groupLevel;
  final int nodesAvailable;
  final Map<String, Integer> rejected;

  private GangFit(DomainTree tree, long[] rankCap, long[] groupCap, int groupSize, int groupLevel, int nodesAvailable,
      Map<String, Integer> rejected) {
    this.tree = tree;
    this.rankCap = rankCap;
    this.groupCap = groupCap;
    this.groupSize = groupSize;
    this.groupLevel = groupLevel;
    this.nodesAvailable = nodesAvailable;
    this.rejected = rejected;
  }

  static GangFit compute(ClusterSnapshot snapshot, GangRequest req, int groupSize, int groupLevel) {
    DomainTree tree = snapshot.tree();
    long[] rank = new long[tree.size()];
    Map<String, Integer> rejected = new HashMap<>();
    int available = 0;
    List<NodeState> nodes = snapshot.nodes();
    Map<Integer, Resources> own = snapshot.ownReservations(req.jobKey());
    Resources each = req.perRank();
    long unbounded = req.replicas();
    // By index: one lookup per excluded name instead of one per node.
    boolean[] excluded = new boolean[nodes.size()];
    for (String name : req.excludedNodes()) {
      int i = snapshot.indexOf(name);
      if (i >= 0) excluded[i] = true;
    }
    // Without a selector, an open node (ready, not cordoned, untainted) can only lack capacity: its object is not read.
    boolean anyNodeMatches = req.nodeSelector().isEmpty() && req.requiredNodeAffinity() == null;
    String run = null;
    int runLength = 0;
    // What a rank does not ask for is never read: fewer arrays to bring into the cache.
    boolean cpuAsked = each.cpuMillis() > 0;
    boolean memoryAsked = each.memoryBytes() > 0;
    for (int i = 0; i < nodes.size(); i++) {
      Resources mine = own.isEmpty() ? null : own.get(i);
      int gpus = snapshot.freeGpus(i) + (mine == null ? 0 : mine.gpus());
      long cpu = cpuAsked ? snapshot.freeCpu(i) + (mine == null ? 0 : mine.cpuMillis()) : 0;
      long mem = memoryAsked ? snapshot.freeMemory(i) + (mine == null ? 0 : mine.memoryBytes()) : 0;
      String why = anyNodeMatches && snapshot.open(i) && !excluded[i] ? NodeFilter.lacking(gpus, cpu, mem, req)
          : NodeFilter.reject(nodes.get(i), excluded[i], gpus, cpu, mem, req);
      if (why != null) {
        // Neighbours mostly share a reason (the same constant): count runs, not each node, into the map.
        if (why != run) {
          if (run != null) rejected.merge(run, runLength, Integer::sum);
          run = why;
          runLength = 0;
        }
        runLength++;
        continue;
      }
      available++;
      // A rank asking for nothing countable could stack without limit; the gang size bounds it.
      long k = unbounded;
      if (each.gpus() > 0) k = Math.min(k, gpus / each.gpus());
      if (cpuAsked) k = Math.min(k, cpu / each.cpuMillis());
      if (memoryAsked) k = Math.min(k, mem / each.memoryBytes());
      rank[tree.leafIdOf(i)] = k;
    }
    if (run != null) rejected.merge(run, runLength, Integer::sum);
    // Preorder ids: every child has a larger id than its parent, so one reverse sweep sums subtrees.
    for (int id = tree.size() - 1; id > 0; id--) {
      rank[tree.parentId(id)] += rank[id];
    }
    long[] group = null;
    if (groupLevel >= 0) {
      group = new long[tree.size()];
      for (int id : tree.idsAt(groupLevel)) group[id] = rank[id] / groupSize;
      for (int level = groupLevel - 1; level >= -1; level--) {
        int[] ids = level < 0 ? new int[] {tree.root().id()} : tree.idsAt(level);
        for (int id : ids) {
          long sum = 0;
          for (Domain c : tree.domain(id).children()) sum += group[c.id()];
          group[id] = sum;
        }
      }
    }
    return new GangFit(tree, rank, group, groupSize, groupLevel, available, sortByCount(rejected));
  }

  boolean grouped() {
    return groupLevel >= 0;
  }

  /** Capacity of a domain in the units placement counts there: whole groups at and above the group level, else ranks. */
  long units(int domainId, boolean grouped) {
    return grouped && tree.levelOf(domainId) <= groupLevel ? groupCap[domainId] : rankCap[domainId];
  }

  /** Largest capacity of any domain at a level, in units. */
  long largestAt(int level, boolean grouped) {
    long max = 0;
    for (int id : tree.idsAt(level)) max = Math.max(max, units(id, grouped));
    return max;
  }

  private static Map<String, Integer> sortByCount(Map<String, Integer> byReason) {
    if (byReason.size() < 2) return byReason;
    Map<String, Integer> out = new LinkedHashMap<>();
    byReason.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
