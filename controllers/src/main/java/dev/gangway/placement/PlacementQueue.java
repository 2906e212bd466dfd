package dev.gangway.placement;

import dev.gangway.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which capacity a waiting gang may take now. Stateless: every decision is a pure function of the
 * gangs waiting (as stored in the API server) and the cluster, so a new leader knows the queue, and
 * its head, before it places anything.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>A gang that could not be placed even on an empty cluster ({@link EmptyClusterFit}) is
 *       {@code Unschedulable}: it is reported at once, never queued, and so never blocks anyone.
 *       Its job checks again on the normal retry timer, since clusters grow.</li>
 *   <li>A gang that could be placed on an empty cluster but not without the nodes it keeps off now
 *       ({@link EmptyClusterFit#whyNotWithoutExcluded}) is {@code EXCLUDED}: it stays in the queue but
 *       holds nothing, and is reported as waiting for those nodes rather than for capacity.</li>
 *   <li>Waiting gangs are ordered by {@link QueuedGang#ORDER}: priority, then age, then key.</li>
 *   <li>The first gang in that order for which capacity can be named holds a
 *       {@link HeadReservation}: the nodes it will start on when their occupants finish. A gang
 *       ahead of it that needs nodes that are down or avoided now holds nothing.</li>
 *   <li>The holder itself, and any gang ahead of it, is placed on the cluster as it is. Every gang
 *       behind it is placed on the cluster with the held capacity taken (backfill). A holder that fits now but holds
 *       out for a tighter placement ({@link TighterPlacement}) holds the tighter capacity instead.</li>
 * </ol>
 *
 * <p>"Cannot delay the head" without runtime estimates: the head starts as soon as the jobs that
 * occupy its held capacity finish. A backfilled gang never takes held capacity, so it never adds to
 * that set, whatever it runs for; it can only use capacity the head does not wait for. The held
 * capacity is not stored: it is recomputed at each decision from the cluster as it is, so it can move
 * when jobs finish elsewhere and another domain then has more of the head's room free. A backfilled
 * gang never lands on the capacity held at the moment it is placed. Backfill needs no time bound
 * any more: it is safe at any age of the head, so gangway.placement.backfill-bound-seconds is
 * accepted and ignored.
 *
 * <p>A platform may let gangs pass a head that does not fit for a while ({@code headHoldsAfter}): a gang that does not fit
 * now holds capacity only once it has waited that long since it began waiting, so short, small jobs start at once behind a
 * big one (as Kueue's BestEffortFIFO does) and the big one is starved for at most that long. A head that fits now but holds
 * out for a tighter placement holds that capacity at once, whatever its wait: otherwise the gangs passing would take the
 * room it holds out for; while it does not fit, its hold-out window holds nothing. The default, zero, holds at once
 * (rule 4).
 */
public final class PlacementQueue {

  private final PlacementEngine engine;
  private final Duration headHoldsAfter;

  public PlacementQueue() {
    this(new PlacementEngine());
  }

  public PlacementQueue(PlacementEngine engine) {
    this(engine, Duration.ZERO);
  }

  /**
   * @param headHoldsAfter how long a gang that does not fit now waits before it holds capacity against the gangs behind it
   *     (read only by decisions made with a time: {@link #admit(QueuedGang, Collection, Function, Instant)}); zero: at once
   */
  public PlacementQueue(PlacementEngine engine, Duration headHoldsAfter) {
    this.engine = engine;
    this.headHoldsAfter = headHoldsAfter == null || headHoldsAfter.isNegative() ? Duration.ZERO : headHoldsAfter;
  }

  /**
   * Decides for {@code self} against the gangs {@code waiting} (its own stored entry, if any, is
   * replaced by {@code self}); {@code cluster} gives the cluster's snapshot on a topology.
   */
  public Admission admit(QueuedGang self, Collection<QueuedGang> waiting, Function<Topology, ClusterSnapshot> cluster) {
    return admit(self, waiting, cluster, null);
  }

  /**
   * The same at {@code now}: a gang ahead that still holds out for a tighter placement ({@link
   * QueuedGang#holdsOutForTighter}) holds the tighter capacity; with {@code now} null none does.
   */
  public Admission admit(QueuedGang self, Collection<QueuedGang> waiting, Function<Topology, ClusterSnapshot> cluster, Instant now) {
    // Only the gangs ahead of self can hold capacity against it: sort those, not the whole queue.
    List<QueuedGang> ahead = new ArrayList<>();
    int others = 0;
    for (QueuedGang g : waiting) {
      if (g.jobKey().equals(self.jobKey())) continue;
      others++;
      if (QueuedGang.ORDER.compare(g, self) < 0) ahead.add(g);
    }
    ahead.sort(QueuedGang.ORDER);
    return admit(self, ahead, others + 1, cluster, now);
  }

  /**
   * The same decision for a caller that keeps its queue in {@link QueuedGang#ORDER}: {@code ahead} are the waiting gangs
   * before {@code self}, in that order (read only until one of them holds capacity, so it may be lazy), and
   * {@code queueLength} counts the gangs waiting, {@code self} included.
   */
  public Admission admit(QueuedGang self, Iterable<QueuedGang> ahead, int queueLength, Function<Topology, ClusterSnapshot> cluster) {
    return admit(self, ahead, queueLength, cluster, null);
  }

  /** The same at {@code now} (see {@link #admit(QueuedGang, Collection, Function, Instant)}). */
  public Admission admit(QueuedGang self, Iterable<QueuedGang> ahead, int queueLength, Function<Topology, ClusterSnapshot> cluster,
      Instant now) {
    // Jobs read the same ClusterTopology into different Topology objects: one snapshot per distinct shape.
    Map<List<Object>, ClusterSnapshot> snapshots = new HashMap<>();
    Function<Topology, ClusterSnapshot> snapshot = t -> snapshots.computeIfAbsent(List.of(t.levels(), t.crossBlockBandwidthGBps()),
        k -> cluster.apply(t));
    Optional<String> never = EmptyClusterFit.whyNever(snapshot.apply(self.topology()), self.request());
    if (never.isPresent()) {
      return new Admission(Admission.Kind.UNSCHEDULABLE, never.get(), null, null, queueLength - 1);
    }
    Optional<String> excluded = EmptyClusterFit.whyNotWithoutExcluded(snapshot.apply(self.topology()), self.request());
    if (excluded.isPresent()) {
      return new Admission(Admission.Kind.EXCLUDED, excluded.get(), null, null, queueLength);
    }
    for (QueuedGang gang : ahead) {
      boolean holdsOut = gang.holdsOutForTighter(now);
      boolean holds = holdsCapacity(gang, now);
      if (!holds && !holdsOut) continue;
      // Still passed by the platform's bound: it holds only the room it holds out for, and only when it fits now.
      Optional<HeadReservation> held = holds ? HeadReservation.of(snapshot.apply(gang.topology()), gang.request(), engine, holdsOut)
          : HeadReservation.ofFittingHoldOut(snapshot.apply(gang.topology()), gang.request(), engine);
      if (held.isPresent()) {
        return new Admission(Admission.Kind.BEHIND, null, gang, held.get(), queueLength);
      }
    }
    return new Admission(Admission.Kind.FIRST, null, null, null, queueLength);
  }

  /**
   * Until when {@code gang}, should it not fit, lets the gangs behind it take what it would start on; empty when it holds
   * at {@code now} already.
   */
  public Optional<Instant> passedUntil(QueuedGang gang, Instant now) {
    return holdsCapacity(gang, now) ? Optional.empty() : Optional.of(gang.waitingSince().plus(headHoldsAfter));
  }

  /** Whether {@code gang} has waited long enough at {@code now} to hold capacity against the gangs behind it. */
  private boolean holdsCapacity(QueuedGang gang, Instant now) {
    // A gang the API server never stamped waits since Instant.MAX (WaitingGangs.createdAt): it holds at once, as before.
    return headHoldsAfter.isZero() || now == null || gang.waitingSince().isAfter(Instant.MAX.minus(headHoldsAfter))
        || !now.isBefore(gang.waitingSince().plus(headHoldsAfter));
  }

  /** The waiting gangs in queue order, {@code self} in place of its stored entry. */
  public static List<QueuedGang> order(Collection<QueuedGang> waiting, QueuedGang self) {
    List<QueuedGang> queue = new ArrayList<>(waiting.size() + 1);
    waiting.stream().filter(g -> !g.jobKey().equals(self.jobKey())).forEach(queue::add);
    queue.add(self);
    queue.sort(QueuedGang.ORDER);
    return queue;
  }

  /**
   * What a gang may do now.
   *
   * @param message why it can never be placed, for {@link Kind#UNSCHEDULABLE}; why not without the nodes it keeps off, for
   *     {@link Kind#EXCLUDED}
   * @param head the gang whose capacity is held, for {@link Kind#BEHIND}
   * @param queueLength gangs waiting, this one included unless unschedulable
   */
  public record Admission(Kind kind, String message, QueuedGang head, HeadReservation held, int queueLength) {

    public enum Kind {
      /** It could not be placed even on an empty cluster; it does not queue. */
      UNSCHEDULABLE,
      /**
       * It could be placed on an empty cluster, but not without the nodes it keeps off now (its exclusions, unhealthy or
       * flagged nodes): it stays in the queue, holds no capacity ({@link HeadReservation} names none) and waits for them.
       */
      EXCLUDED,
      /** No gang ahead of it holds capacity: it is placed on the cluster as it is. */
      FIRST,
      /** {@link #head()} holds capacity: it is placed only on what is left (backfill). */
      BEHIND
    }

    /** Capacity to take away before placing this gang; empty unless {@link Kind#BEHIND}. */
    public List<Reservation> hidden() {
      return held == null ? List.of() : held.reservations();
    }
  }
}
