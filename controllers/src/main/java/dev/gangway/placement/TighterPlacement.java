package dev.gangway.placement;

import dev.gangway.topology.DomainTree;
import dev.gangway.topology.Topology;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a gang that fits now is placed looser than it could be once the cluster frees up, compared with the engine's
 * placement on the nodes usable now were they idle, in this order: it spans more domains at the outermost level where the
 * two differ among the levels {@link DomainSpan#counted} counts (those that cost bandwidth to leave); or, spanning as few
 * at each, its ring all-reduce is predicted slower (ranks split over nodes that are each an NVLink domain); or, as fast,
 * it spans more domains at the outermost other level of several nodes per domain (racks and blocks no faster than what
 * joins them). A gang asking for spec.topology.waitForTighterSeconds holds out for that (a bounded wait,
 * {@link QueuedGang#tighterUntil}); the queue then holds the tighter capacity for it ({@link HeadReservation}) so that
 * backfill does not take it.
 *
 * <p>Why the last: on a fabric whose racks and blocks are as fast as what joins them (an H100 SuperPOD), spreading costs
 * the gang no bandwidth, but it splits whole racks and blocks that a later big gang needs, and it exposes the gang to more
 * rack-wide failures (a leaf switch, a power shelf). Last, so that it never outweighs bandwidth; the placement engine
 * itself does not weigh those levels (see {@link DomainSpan}), only the hold-out does, within the gang's bound.
 *
 * <p>Why the idle nodes: without run-time estimates, what frees up next is unknown, and what the gang could get on
 * the usable nodes is the placement it could have once the jobs on them end. On a cluster that never drains, the
 * gang waits the whole time it allows and then takes what there is: the bound is the user's.
 */
final class TighterPlacement {

  /** All-reduce times this close are the same placement's worth (rounding in the ring model), not worth a wait. */
  private static final double SAME_TIME = 1e-6;

  private TighterPlacement() {
  }

  /**
   * Why {@code placedNow} is looser than the placement on idle usable nodes, in words ("it fits now on 2 blocks and 10
   * racks; on the nodes usable now, were they idle, on 1 block and 8 racks"); empty when it is not.
   */
  static Optional<String> looser(ClusterSnapshot snapshot, GangRequest req, PlacementResult placedNow, PlacementEngine engine) {
    if (!placedNow.placed()) return Optional.empty();
    GangRequest anyJob = req.ofAnyJob(req.excludedNodes());
    IdleCluster idle = snapshot.idleAsNow();
    Optional<PlacementQuality> tightest = idle.answer(new Tightest(anyJob), () -> {
      PlacementResult onIdle = engine.place(idle.nodes(snapshot), anyJob);
      return onIdle.placed() ? Optional.of(onIdle.quality()) : Optional.<PlacementQuality>empty();
    });
    if (tightest.isEmpty()) return Optional.empty();
    Topology topo = snapshot.topology();
    boolean[] counted = DomainSpan.counted(snapshot.tree());
    Map<String, Integer> now = placedNow.quality().domainsSpanned();
    Map<String, Integer> idleSpans = tightest.get().domainsSpanned();
    int differs = outermostDifference(topo, counted, now, idleSpans);
    if (differs >= 0) {
      if (spanned(topo, differs, now) < spanned(topo, differs, idleSpans)) return Optional.empty();
      return Optional.of("it fits now on " + spans(topo, counted, now) + "; on the nodes usable now, were they idle, on "
          + spans(topo, counted, idleSpans));
    }
    // As few domains at every counted level, yet a slower ring: ranks that could share a node split over two where the node
    // is the NVLink domain (an H100 SuperPOD), which no counted level shows.
    double slower = placedNow.quality().predictedAllReduceSeconds() / tightest.get().predictedAllReduceSeconds();
    if (slower > 1 + SAME_TIME) {
      return Optional.of(String.format(Locale.ROOT, "it fits now with a ring all-reduce %.1f× as slow (its slowest link: %s) as on "
          + "the nodes usable now, were they idle (%s)", slower, placedNow.quality().slowestLink(), tightest.get().slowestLink()));
    }
    if (slower < 1 - SAME_TIME) return Optional.empty();
    boolean[] spread = spreadLevels(snapshot.tree(), counted);
    differs = outermostDifference(topo, spread, now, idleSpans);
    if (differs < 0 || spanned(topo, differs, now) < spanned(topo, differs, idleSpans)) return Optional.empty();
    return Optional.of("it fits now on " + spans(topo, spread, now) + "; on the nodes usable now, were they idle, on "
        + spans(topo, spread, idleSpans) + ", as fast: fewer leave whole ones free for larger gangs and share fewer "
        + "failures of a whole " + topo.level(differs).name());
  }

  /** The outermost of {@code levels} at which the two placements span a different number of domains; -1 when none. */
  private static int outermostDifference(Topology topo, boolean[] levels, Map<String, Integer> a, Map<String, Integer> b) {
    for (int level = 0; level < levels.length; level++) {
      if (levels[level] && spanned(topo, level, a) != spanned(topo, level, b)) return level;
    }
    return -1;
  }

  private static int spanned(Topology topo, int level, Map<String, Integer> domains) {
    return domains.getOrDefault(topo.level(level).name(), 0);
  }

  /** The levels above the nodes that {@code counted} leaves out and whose domains hold more than one node. */
  private static boolean[] spreadLevels(DomainTree tree, boolean[] counted) {
    int nodes = tree.idsAt(tree.leafLevel()).length;
    boolean[] spread = new boolean[counted.length];
    for (int level = 0; level < counted.length; level++) spread[level] = !counted[level] && tree.idsAt(level).length < nodes;
    return spread;
  }

  /** The question "where would this gang go on the idle usable nodes", asked of {@link ClusterSnapshot#idleAsNow}. */
  private record Tightest(GangRequest request) {
  }

  private static String spans(Topology topo, boolean[] counted, Map<String, Integer> domains) {
    StringBuilder out = new StringBuilder();
    for (int level = 0; level < counted.length; level++) {
      if (!counted[level]) continue;
      int n = spanned(topo, level, domains);
      if (out.length() > 0) out.append(" and ");
      out.append(n).append(' ').append(topo.level(level).name()).append(n == 1 ? "" : "s");
    }
    return out.toString();
  }
}
