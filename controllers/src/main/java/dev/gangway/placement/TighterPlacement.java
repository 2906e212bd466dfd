package dev.gangway.placement;

import dev.gangway.topology.Topology;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a gang that fits now is placed looser than it could be once the cluster frees up: the placement it gets now
 * spans more domains, at the outermost level where the two differ among the levels {@link DomainSpan#counted} counts
 * (those that cost bandwidth to leave), than the engine's placement on the nodes usable now were they idle; or, spanning
 * as few at each, its ring all-reduce is predicted slower (ranks split over nodes that are each an NVLink domain). A gang
 * asking for spec.topology.waitForTighterSeconds holds out for that (a bounded wait, {@link QueuedGang#tighterUntil});
 * the queue then holds the tighter capacity for it ({@link HeadReservation}) so that backfill does not take it.
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
    for (int level = 0; level < counted.length; level++) {
      if (!counted[level]) continue;
      String name = topo.level(level).name();
      int here = now.getOrDefault(name, 0);
      int there = idleSpans.getOrDefault(name, 0);
      if (here < there) return Optional.empty();
      if (here > there) {
        return Optional.of("it fits now on " + spans(topo, counted, now) + "; on the nodes usable now, were they idle, on "
            + spans(topo, counted, idleSpans));
      }
    }
    // As few domains at every counted level, yet a slower ring: ranks that could share a node split over two where the node
    // is the NVLink domain (an H100 SuperPOD), which no counted level shows.
    double slower = placedNow.quality().predictedAllReduceSeconds() / tightest.get().predictedAllReduceSeconds();
    if (slower > 1 + SAME_TIME) {
      return Optional.of(String.format(Locale.ROOT, "it fits now with a ring all-reduce %.1f× as slow (its slowest link: %s) as on "
          + "the nodes usable now, were they idle (%s)", slower, placedNow.quality().slowestLink(), tightest.get().slowestLink()));
    }
    return Optional.empty();
  }

  /** The question "where would this gang go on the idle usable nodes", asked of {@link ClusterSnapshot#idleAsNow}. */
  private record Tightest(GangRequest request) {
  }

  private static String spans(Topology topo, boolean[] counted, Map<String, Integer> domains) {
    StringBuilder out = new StringBuilder();
    for (int level = 0; level < counted.length; level++) {
      if (!counted[level]) continue;
      String name = topo.level(level).name();
      int n = domains.getOrDefault(name, 0);
      if (out.length() > 0) out.append(" and ");
      out.append(n).append(' ').append(name).append(n == 1 ? "" : "s");
    }
    return out.toString();
  }
}
