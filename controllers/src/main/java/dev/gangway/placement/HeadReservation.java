package dev.gangway.placement;

import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Capacity held for the gang at the head of the queue while it waits: the nodes, and the amount on
 * each, that it will start on once their current occupants finish. Gangs behind it are placed on a
 * snapshot where this capacity is taken, so a backfilled gang never uses capacity the head waits for.
 *
 * <p>Where: if the head fits now, exactly where the engine would place it, unless it holds out for a tighter placement
 * than that ({@link TighterPlacement}): then, as when it does not fit, in the
 * tightest domain (deepest level, no shallower than spec.topology.required) that could hold it on
 * nodes that are usable now (ready, schedulable, tolerated, not avoided) if they were idle; among
 * such domains the one where most of the gang fits already (then the most free GPUs, then tree
 * order). Inside it, the nodes with the most room free now are taken first (whole groups per
 * group-level domain for tensor-parallel gangs), and only as many ranks' worth of each node as the
 * gang would use there, so the rest of a node stays available to others.
 *
 * <p>A gang that could not be held even on idle usable nodes (it needs nodes that are down, cordoned
 * or avoided now) holds nothing: no capacity can be named for it until they return.
 *
 * @param where a person's words for the held capacity, e.g. "16 GPUs on 2 nodes in rack r07"
 */
public record HeadReservation(String jobKey, List<Reservation> reservations, String where) {

  public HeadReservation {
    reservations = List.copyOf(reservations);
  }

  /** The capacity to hold for {@code req} on the cluster as {@code current} shows it; empty when none can be named. */
  public static Optional<HeadReservation> of(ClusterSnapshot current, GangRequest req, PlacementEngine engine) {
    return of(current, req, engine, false);
  }

  /**
   * The same, for a head that may hold out for a tighter placement than it would get now ({@code holdsOutForTighter}):
   * if it would, the tighter capacity is held instead.
   */
  public static Optional<HeadReservation> of(ClusterSnapshot current, GangRequest req, PlacementEngine engine, boolean holdsOutForTighter) {
    return of(current, req, engine, holdsOutForTighter, false);
  }

  /**
   * The capacity a head holds while the platform lets others pass it ({@link PlacementQueue}): only that of a gang that
   * fits now and holds out for a tighter placement; empty for one that does not fit now.
   */
  public static Optional<HeadReservation> ofFittingHoldOut(ClusterSnapshot current, GangRequest req, PlacementEngine engine) {
    return of(current, req, engine, true, true);
  }

  private static Optional<HeadReservation> of(ClusterSnapshot current, GangRequest req, PlacementEngine engine, boolean holdsOutForTighter,
      boolean onlyIfFitsNow) {
    if (PlacementEngine.validate(current.topology(), req) != null) return Optional.empty();
    GangShape shape = GangShape.of(current.topology(), req);
    GangFit free = GangFit.compute(current, req, shape.groupSize(), shape.groupLevel());
    PlacementResult now = engine.place(current, req, shape, free);
    if (onlyIfFitsNow && !now.placed()) return Optional.empty();
    if (now.placed() && !(holdsOutForTighter && TighterPlacement.looser(current, req, now, engine).isPresent())) {
      List<Reservation> held = new ArrayList<>();
      now.nodes().forEach(n -> held.add(new Reservation(req.jobKey(), n, req.perRank())));
      return Optional.of(new HeadReservation(req.jobKey(), held, describe(held, "where it fits now")));
    }
    // What it could get were the usable nodes idle changes only when nodes do: computed once per kind of gang.
    GangRequest anyJob = req.ofAnyJob(req.excludedNodes());
    IdleCluster idle = current.idleAsNow();
    GangFit ever = idle.answer(new Ever(anyJob), () -> GangFit.compute(idle.nodes(current), anyJob, shape.groupSize(), shape.groupLevel()));
    Domain domain = chooseDomain(current.tree(), ever, free, shape);
    if (domain == null) return Optional.empty();
    List<Reservation> held = new ArrayList<>();
    if (shape.grouped() && domain.level() < shape.groupLevel()) {
      long left = shape.units();
      for (int id : byRoomNow(current.tree(), free, domain, shape.groupLevel(), true)) {
        if (left == 0) break;
        long groups = Math.min(left, ever.units(id, true));
        if (groups == 0) continue;
        holdRanks(current, req, ever, free, current.tree().domain(id), groups * shape.groupSize(), held);
        left -= groups;
      }
    } else {
      holdRanks(current, req, ever, free, domain, req.replicas(), held);
    }
    return Optional.of(new HeadReservation(req.jobKey(), held, describe(held, "in " + current.tree().describe(domain))));
  }

  /** The question "how much of this gang fits where, were the usable nodes idle", asked of {@link ClusterSnapshot#idleAsNow}. */
  private record Ever(GangRequest request) {
  }

  /** Tightest level first; there, the domain that idle could hold the gang and where most of it fits now. */
  private static Domain chooseDomain(DomainTree tree, GangFit ever, GangFit free, GangShape shape) {
    int deepest = shape.grouped() ? shape.groupLevel() : tree.leafLevel();
    for (int level = deepest; level >= shape.requiredLevel(); level--) {
      int[] ids = level < 0 ? new int[] {tree.root().id()} : tree.idsAt(level);
      Domain best = null;
      for (int id : ids) {
        if (ever.units(id, shape.grouped()) < shape.units()) continue;
        if (best == null || better(tree, free, shape.grouped(), id, best.id())) best = tree.domain(id);
      }
      if (best != null) return best;
    }
    return null;
  }

  private static boolean better(DomainTree tree, GangFit free, boolean grouped, int a, int b) {
    if (free.units(a, grouped) != free.units(b, grouped)) return free.units(a, grouped) > free.units(b, grouped);
    return tree.freeGpusOf(a) > tree.freeGpusOf(b);
  }

  /** Holds {@code ranks} ranks on the nodes of {@code d}, most room free now first. */
  private static void holdRanks(ClusterSnapshot current, GangRequest req, GangFit ever, GangFit free, Domain d, long ranks,
      List<Reservation> held) {
    DomainTree tree = current.tree();
    long left = ranks;
    for (int leaf : byRoomNow(tree, free, d, tree.leafLevel(), false)) {
      if (left == 0) return;
      long take = Math.min(left, ever.rankCap[leaf]);
      if (take == 0) continue;
      held.add(new Reservation(req.jobKey(), current.node(tree.domain(leaf).nodeIndex()).name(), req.perRank().times((int) take)));
      left -= take;
    }
  }

  /** Ids of the domains at {@code level} inside {@code d}, the most units free now first, then tree order. */
  private static List<Integer> byRoomNow(DomainTree tree, GangFit free, Domain d, int level, boolean grouped) {
    int[] range = tree.rangeAt(d, level);
    int[] ids = tree.idsAt(level);
    List<Integer> out = new ArrayList<>(range[1] - range[0]);
    for (int k = range[0]; k < range[1]; k++) out.add(ids[k]);
    out.sort(Comparator.comparingLong((Integer id) -> -free.units(id, grouped)).thenComparingInt(id -> -tree.freeGpusOf(id))
        .thenComparingInt(id -> id));
    return out;
  }

  private static String describe(List<Reservation> held, String where) {
    int gpus = held.stream().mapToInt(r -> r.resources().gpus()).sum();
    long nodes = held.stream().map(Reservation::node).distinct().count();
    return gpus + " GPUs on " + nodes + " node" + (nodes == 1 ? "" : "s") + " " + where;
  }
}
