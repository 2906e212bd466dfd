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
 * what is left. Among such domains it takes the one whose ranks would span the fewest domains at each
 * level below where leaving a domain costs bandwidth (outer levels first: their links are the slower;
 * see {@link DomainSpan}), then the tightest (least room to spare, then fewest free GPUs, then in the
 * fullest parent), so big domains stay whole for big gangs. When no child can hold it alone, it splits
 * across as few children as possible and, among such choices, the ones that need the fewest domains
 * below them, then the fullest; their shares come from the fewest domains one level below across them
 * where the children's own capacities would need more. Ranks are emitted by a depth-first walk,
 * so consecutive ranks share the deepest domain they can and a ring over them crosses each boundary
 * once per domain.
 */
final class BestFit {

  /** Sets of children searched for the one spanning the fewest domains below; past it the fullest set is kept. */
  static final int MAX_SETS_SEARCHED = 2_000;

  private final GangFit fit;
  private final DomainTree tree;
  private final int[] nodeOfRank;
  private final DomainSpan spans;
  private int next;

  BestFit(GangFit fit, int ranks) {
    this.fit = fit;
    this.tree = fit.tree;
    this.nodeOfRank = new int[ranks];
    this.spans = new DomainSpan(fit);
  }

  /**
   * At the deepest level in [minLevel, deepest] inside {@code within} where one domain holds {@code units}: the
   * one spanning the fewest domains below, then the tightest; null if none.
   */
  Domain tightestDeepest(Domain within, long units, boolean grouped, int minLevel) {
    int deepest = grouped ? fit.groupLevel : tree.leafLevel();
    for (int level = deepest; level >= Math.max(minLevel, 0); level--) {
      int[] ids = tree.idsAt(level);
      int[] range = tree.rangeAt(within, level);
      int best = -1;
      long bestCap = Long.MAX_VALUE;
      int[] bestSpan = null;
      for (int k = range[0]; k < range[1]; k++) {
        int id = ids[k];
        long cap = fit.units(id, grouped);
        if (cap < units) continue;
        int[] span = spans.of(level + 1, units, grouped, id);
        int bySpan = best < 0 ? -1 : Arrays.compare(span, bestSpan);
        if (bySpan < 0 || (bySpan == 0 && (cap < bestCap || (cap == bestCap && tighter(id, best))))) {
          best = id;
          bestCap = cap;
          bestSpan = span;
        }
      }
      if (best >= 0) return tree.domain(best);
    }
    return null;
  }

  /**
   * Between two domains of one level that hold a gang equally tightly: the one with fewer free GPUs, then the one in
   * the fuller parent, grandparent and so on, so that small gangs pack into racks and blocks already in use and the
   * empty ones stay whole for big gangs (first in tree order would scatter them over every hole freed).
   */
  private boolean tighter(int a, int b) {
    for (int x = a, y = b; x >= 0 && x != y; x = tree.parentId(x), y = tree.parentId(y)) {
      int fx = tree.freeGpusOf(x);
      int fy = tree.freeGpusOf(y);
      if (fx != fy) return fx < fy;
    }
    return false;
  }

  /** Ids of the domains at {@code level} inside any of {@code members}, member by member in tree order. */
  private int[] inside(int[] members, int level) {
    int[] ids = tree.idsAt(level);
    int n = 0;
    for (int member : members) {
      int[] range = tree.rangeAt(tree.domain(member), level);
      n += range[1] - range[0];
    }
    int[] out = new int[n];
    int i = 0;
    for (int member : members) {
      int[] range = tree.rangeAt(tree.domain(member), level);
      for (int k = range[0]; k < range[1]; k++) out[i++] = ids[k];
    }
    return out;
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
   * Fewest children that together hold {@code units}. Among sets of that size, the one whose ranks span the fewest
   * domains below (searched exhaustively while that is cheap), else the fullest: the i-th pick is the smallest
   * child that still lets the largest remaining k-1-i finish the job. Returns (domain id, units) pairs in tree order.
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
    List<long[]> fullest = fewestFullest(Arrays.copyOf(ids, m), Arrays.copyOf(cap, m), units);
    if (fullest.size() == 1) return fullest;
    int below = children.get(0).level() + 1;
    int k = fullest.size();
    if (binomial(m, k) > MAX_SETS_SEARCHED) return sharedBelow(fullest, below, units, grouped);
    DomainSpan.Histograms counted = spans.histograms(below, units, grouped, Arrays.copyOf(ids, m));
    if (counted.top().length == 0) return sharedBelow(fullest, below, units, grouped);
    int[] chosen = new int[k];
    for (int i = 0; i < k; i++) chosen[i] = indexOf(ids, m, (int) fullest.get(i)[0]);
    int[] bestSpan = counted.span(chosen);
    int[] better = null;
    int[] pick = new int[k];
    for (int i = 0; i < k; i++) pick[i] = i;
    do {
      long sum = 0;
      for (int p : pick) sum += cap[p];
      if (sum < units) continue;
      int[] span = counted.span(pick);
      if (Arrays.compare(span, bestSpan) < 0) {
        bestSpan = span;
        better = pick.clone();
      }
    } while (nextCombination(pick, m));
    if (better == null) return sharedBelow(fullest, below, units, grouped);
    int[] members = new int[k];
    for (int i = 0; i < k; i++) members[i] = ids[better[i]];
    return sharesOf(members, fewestBelow(members, below, units, grouped));
  }

  /**
   * The set {@code chosen}, its shares redrawn from the fewest domains one level below across all its members (as
   * Kueue's TAS does level by level) when that needs fewer of them: by the members' own capacities the fullest member
   * takes all it has, however many racks or nodes that scatters the gang over. Unchanged where the level below counts
   * other units (inside a group) or there is none.
   */
  private List<long[]> sharedBelow(List<long[]> chosen, int below, long units, boolean grouped) {
    if (below > tree.leafLevel() || (grouped && below > fit.groupLevel)) return chosen;
    int[] members = new int[chosen.size()];
    int asChosen = 0;
    for (int i = 0; i < members.length; i++) {
      members[i] = (int) chosen.get(i)[0];
      asChosen += fewestBelow(new int[] {members[i]}, below, chosen.get(i)[1], grouped).size();
    }
    List<long[]> across = fewestBelow(members, below, units, grouped);
    return across.size() >= asChosen ? chosen : sharesOf(members, across);
  }

  /** The fewest domains at {@code below} inside {@code members} that hold {@code units}, fullest first. */
  private List<long[]> fewestBelow(int[] members, int below, long units, boolean grouped) {
    int[] sub = inside(members, below);
    long[] cap = new long[sub.length];
    for (int i = 0; i < sub.length; i++) cap[i] = fit.units(sub[i], grouped);
    return fewestFullest(sub, cap, units);
  }

  private static int indexOf(int[] ids, int m, int id) {
    for (int i = 0; i < m; i++) if (ids[i] == id) return i;
    throw new IllegalStateException("domain " + id + " is not a child with room");
  }

  /**
   * Shares of {@code members} when the domains below them are {@code taken} ({@link #fewestBelow} across all of
   * them), so each member takes what its taken domains hold and the set spans the fewest such domains.
   */
  private List<long[]> sharesOf(int[] members, List<long[]> taken) {
    long[] share = new long[members.length];
    for (long[] t : taken) {
      int owner = 0;
      while (!tree.domain(members[owner]).contains(tree.domain((int) t[0]))) owner++;
      share[owner] += t[1];
    }
    List<long[]> shares = new ArrayList<>(members.length);
    for (int k = 0; k < members.length; k++) {
      if (share[k] > 0) shares.add(new long[] {members[k], share[k]});
    }
    shares.sort((a, b) -> Long.compare(a[0], b[0]));
    return shares;
  }

  /** Fewest of the domains {@code ids} (with {@code cap} units each) that hold {@code units}, the fullest first. */
  private List<long[]> fewestFullest(int[] ids, long[] cap, long units) {
    int m = ids.length;
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

  /** Advances {@code pick}, an increasing k-subset of 0..n-1, to the next in lexicographic order; false after the last. */
  private static boolean nextCombination(int[] pick, int n) {
    int k = pick.length;
    int i = k - 1;
    while (i >= 0 && pick[i] == n - k + i) i--;
    if (i < 0) return false;
    pick[i]++;
    for (int j = i + 1; j < k; j++) pick[j] = pick[j - 1] + 1;
    return true;
  }

  private static long binomial(int n, int k) {
    long c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
      if (c > MAX_SETS_SEARCHED) return c;
    }
    return c;
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
