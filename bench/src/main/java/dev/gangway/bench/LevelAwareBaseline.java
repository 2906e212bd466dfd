package dev.gangway.bench;

import dev.gangway.placement.GangRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A topology-aware baseline written here as an imitation of the idea behind Kueue's Topology Aware
 * Scheduling (it is not Kueue's code or a faithful port): the gang is counted in slices (a TP group of
 * ranks that must share one NVLink domain, else single ranks); at each level, outermost first, it takes
 * the fewest domains by descending free capacity, swapping the last one for the tightest domain that
 * still holds the remainder ("best fit"), then descends into them. Ranks follow the order of the chosen
 * domains' label values. Unlike Gangway it does not order ranks to cut ring hops, has no lower bound,
 * and picks its outermost domain set without looking at what it leaves for later gangs.
 */
final class LevelAwareBaseline {

  private final Shapes.Shape shape;
  /** Label value of node i at each level: block, rack, NVLink domain (the node itself when it has no clique). */
  private final String[][] domainOf;

  LevelAwareBaseline(Shapes.Shape shape) {
    this.shape = shape;
    domainOf = new String[shape.nodes()][];
    for (int i = 0; i < shape.nodes(); i++) {
      Shapes.Slot s = shape.slots().get(i);
      domainOf[i] = new String[] {s.block(), s.rack(), shape.nvlinkDomain(i)};
    }
  }

  /** Node per rank, or null when the gang does not fit now. */
  List<String> place(int[] freeGpus, GangRequest req) {
    int g = Math.max(1, req.gpusPerRank());
    int slice = req.groupSize() > 1 ? req.groupSize() : 1;
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < freeGpus.length; i++) all.add(i);
    List<Integer> ranks = new ArrayList<>(req.replicas());
    if (!assign(all, 0, req.replicas() / slice, slice, g, freeGpus.clone(), ranks)) return null;
    List<String> out = new ArrayList<>(ranks.size());
    for (int n : ranks) out.add(shape.names().get(n));
    return out;
  }

  /** Places {@code slices} slices on {@code nodes} (all inside one domain of level {@code level} − 1), appending nodes per rank. */
  private boolean assign(List<Integer> nodes, int level, long slices, int slice, int g, int[] free, List<Integer> ranks) {
    if (slices == 0) return true;
    if (level == domainOf[0].length) {
      // Inside one NVLink domain: fill nodes by most free GPUs first, ties by name.
      List<Integer> order = new ArrayList<>(nodes);
      order.sort(Comparator.<Integer>comparingInt(n -> -free[n]).thenComparing(n -> shape.names().get(n)));
      long left = slices * slice;
      for (int n : order) {
        while (left > 0 && free[n] >= g) {
          free[n] -= g;
          ranks.add(n);
          left--;
        }
      }
      return left == 0;
    }
    Map<String, List<Integer>> domains = new TreeMap<>();
    for (int n : nodes) domains.computeIfAbsent(domainOf[n][level], k -> new ArrayList<>()).add(n);
    // Slices fit only whole inside an NVLink domain; above it, a domain holds the sum of its NVLink domains' slices.
    Map<String, Long> cap = new TreeMap<>();
    for (Map.Entry<String, List<Integer>> d : domains.entrySet()) cap.put(d.getKey(), slicesIn(d.getValue(), slice, g, free));
    List<String> bySize = new ArrayList<>(cap.keySet());
    bySize.sort(Comparator.<String>comparingLong(cap::get).reversed().thenComparing(Comparator.naturalOrder()));
    List<String> chosen = new ArrayList<>();
    long have = 0;
    for (String d : bySize) {
      if (have >= slices) break;
      chosen.add(d);
      have += cap.get(d);
    }
    if (have < slices) return false;
    // Best fit for the last domain: the tightest one not yet chosen that still holds what the last one had to hold.
    String last = chosen.get(chosen.size() - 1);
    long need = slices - (have - cap.get(last));
    for (String d : bySize) {
      if (!chosen.contains(d) && cap.get(d) >= need && cap.get(d) < cap.get(last)) last = d;
    }
    chosen.set(chosen.size() - 1, last);
    chosen.sort(Comparator.naturalOrder());
    long left = slices;
    for (String d : chosen) {
      long take = Math.min(left, cap.get(d));
      if (!assign(domains.get(d), level + 1, take, slice, g, free, ranks)) return false;
      left -= take;
    }
    return left == 0;
  }

  /** Whole slices the nodes can hold, a slice never crossing an NVLink domain. */
  private long slicesIn(List<Integer> nodes, int slice, int g, int[] free) {
    int nvlink = domainOf[0].length - 1;
    Map<String, Long> ranksPerDomain = new TreeMap<>();
    for (int n : nodes) ranksPerDomain.merge(domainOf[n][nvlink], (long) (free[n] / g), Long::sum);
    long s = 0;
    for (long r : ranksPerDomain.values()) s += r / slice;
    return s;
  }
}
