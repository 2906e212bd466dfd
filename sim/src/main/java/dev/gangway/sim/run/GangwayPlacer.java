package dev.gangway.sim.run;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.QueuedGang;
import dev.gangway.placement.Reservation;
import dev.gangway.placement.HeadReservation;
import dev.gangway.sim.fleet.Fleet;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * Gangway's own placement: {@link PlacementQueue#admit} says whether a gang is unschedulable, first, or
 * behind a head that holds capacity; {@link PlacementEngine#place} picks the nodes, on the cluster with
 * the head's capacity hidden when the gang is behind it.
 *
 * <p>Both are pure functions of the snapshot and what they are asked, and the fleet hands out the same snapshot until a
 * node changes: a pass on an unchanged fleet (a job arrived, a backoff ended) gets the answers earlier passes got on it
 * from {@link OnSnapshot} and asks only what is new, instead of recomputing the head's reservation and every waiting
 * gang's failed placement.
 */
final class GangwayPlacer implements Placer {

  private final Fleet fleet;
  private final PlacementEngine engine = new PlacementEngine();
  private final PlacementQueue queue;
  private final int window;
  private OnSnapshot known = new OnSnapshot(null);

  GangwayPlacer(Fleet fleet, int window) {
    this(fleet, window, java.time.Duration.ZERO);
  }

  /** @param headHoldsAfter the operator's placement.headHoldsAfterSeconds ({@link PlacementQueue}) */
  GangwayPlacer(Fleet fleet, int window, java.time.Duration headHoldsAfter) {
    this.fleet = fleet;
    this.window = window;
    this.queue = new PlacementQueue(engine, headHoldsAfter);
  }

  @Override
  public void pass(NavigableSet<SimJob> waiting, java.time.Instant now, Start start) {
    ClusterSnapshot snapshot = null;
    // Every gang behind the head gets the same answer from the queue until something is placed: ask once.
    PlacementQueue.Admission behindHead = null;
    java.util.Map<String, Integer> held = null;
    ClusterSnapshot withHeld = null;
    int tried = 0;
    // Walked by higher(): a placed job leaves the queue as it starts.
    for (SimJob job = waiting.isEmpty() ? null : waiting.first(); job != null && tried < window; job = waiting.higher(job)) {
      if (job.unschedulable) continue;
      // Necessary for any decision to place it: cheaper than building a snapshot to be told no.
      if (job.phase != Phase.QUEUED) continue; // restarting: in the queue, not yet to be placed
      if (!GangRequests.mightFit(job, fleet, now)) continue;
      tried++;
      QueuedGang self = GangRequests.queued(job, fleet.topology(), now);
      if (snapshot == null) snapshot = fleet.snapshot();
      ClusterSnapshot current = snapshot;
      if (known.snapshot != current) known = new OnSnapshot(current);
      PlacementQueue.Admission admission = behindHead != null ? behindHead : admit(self, waiting, job, now, current);
      if (admission.kind() == PlacementQueue.Admission.Kind.BEHIND) behindHead = admission;
      GangRequest req = self.request();
      PlacementResult result;
      switch (admission.kind()) {
        case UNSCHEDULABLE -> {
          job.unschedulable = true;
          job.unschedulableMessage = admission.message();
          continue;
        }
        case EXCLUDED -> {
          // Its exclusions leave no room even on an idle fleet: it waits for the first to end (a pass is due then).
          continue;
        }
        case FIRST -> result = known.placed.computeIfAbsent(self, g -> engine.place(current, req));
        default -> {
          // Behind a head that holds capacity: skip the snapshot with it hidden when what is left cannot hold the gang.
          if (held == null) {
            held = new java.util.HashMap<>();
            for (Reservation r : admission.hidden()) held.merge(r.node(), r.resources().gpus(), Integer::sum);
          }
          if (!fleet.mightHold(job.spec.replicas(), job.spec.gpusPerRank(), job.spec.large(), GangRequests.excluded(job, now), held)) continue;
          if (withHeld == null) withHeld = known.holding(admission.held(), () -> fleet.snapshotHolding(admission.hidden()));
          ClusterSnapshot behind = withHeld;
          result = known.placedBehind.computeIfAbsent(self, g -> engine.place(behind, req));
        }
      }
      if (!result.placed()) continue;
      int[] nodes = new int[req.replicas()];
      for (int r = 0; r < nodes.length; r++) nodes[r] = fleet.indexOf(result.nodeOf(r));
      snapshot = null;
      behindHead = null;
      held = null;
      withHeld = null;
      start.start(job, nodes, result.quality());
    }
  }

  /**
   * {@link PlacementQueue#admit} for {@code self}, or the answer it gave on this snapshot when the gangs it read ahead of
   * {@code self} are the same (the same {@link QueuedGang}s, in order, up to the one that held capacity, or all of them).
   */
  private PlacementQueue.Admission admit(QueuedGang self, NavigableSet<SimJob> waiting, SimJob job, java.time.Instant now,
      ClusterSnapshot current) {
    Asked asked = known.admitted.get(self);
    if (asked != null && now.isBefore(asked.validUntil) && asked.readAgain(ahead(waiting, job, now))) {
      PlacementQueue.Admission a = asked.admission;
      // The queue's length is the one input that may differ; the answer counts it and nothing else reads it.
      return new PlacementQueue.Admission(a.kind(), a.message(), a.head(), a.held(), a.queueLength() - asked.queueLength + waiting.size());
    }
    List<QueuedGang> read = new ArrayList<>();
    Iterator<QueuedGang> ahead = ahead(waiting, job, now).iterator();
    boolean[] end = {false};
    Iterable<QueuedGang> recorded = () -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = ahead.hasNext();
        if (!more) end[0] = true;
        return more;
      }

      @Override
      public QueuedGang next() {
        QueuedGang g = ahead.next();
        read.add(g);
        return g;
      }
    };
    PlacementQueue.Admission a = queue.admit(self, recorded, waiting.size(), t -> current, now);
    // A gang read that lets others pass holds from some time on: the answer stands only until the first such time.
    java.time.Instant validUntil = java.time.Instant.MAX;
    for (QueuedGang g : read) {
      java.time.Instant until = queue.passedUntil(g, now).orElse(java.time.Instant.MAX);
      if (until.isBefore(validUntil)) validUntil = until;
    }
    known.admitted.put(self, new Asked(read, end[0], waiting.size(), a, validUntil));
    return a;
  }

  /** What {@link PlacementQueue#admit} read of the gangs ahead and answered. */
  private record Asked(List<QueuedGang> read, boolean readToEnd, int queueLength, PlacementQueue.Admission admission,
      java.time.Instant validUntil) {

    /** Whether {@code ahead} gives the queue what it read then: the same gangs in order, and no more if it read them all. */
    boolean readAgain(Iterable<QueuedGang> ahead) {
      Iterator<QueuedGang> it = ahead.iterator();
      for (QueuedGang g : read) {
        if (!it.hasNext() || it.next() != g) return false;
      }
      return !readToEnd || !it.hasNext();
    }
  }

  /** Answers on one snapshot, by the asking gang (a job's {@link QueuedGang} is the same object while its request is). */
  private static final class OnSnapshot {
    final ClusterSnapshot snapshot;
    final Map<QueuedGang, Asked> admitted = new IdentityHashMap<>();
    final Map<QueuedGang, PlacementResult> placed = new IdentityHashMap<>();
    final Map<QueuedGang, PlacementResult> placedBehind = new IdentityHashMap<>();
    private HeadReservation heldFor;
    private ClusterSnapshot holding;

    OnSnapshot(ClusterSnapshot snapshot) {
      this.snapshot = snapshot;
    }

    /** The snapshot with {@code held} taken; answers on it are kept while the same reservation is held. */
    ClusterSnapshot holding(HeadReservation held, java.util.function.Supplier<ClusterSnapshot> build) {
      if (held != heldFor) {
        heldFor = held;
        holding = build.get();
        placedBehind.clear();
      }
      return holding;
    }
  }

  /**
   * The gangs ahead of {@code job} in the queue, as the queue reads them, built only as far as it reads: it stops at the
   * first that holds capacity. Jobs found unschedulable are reported, not queued.
   */
  private Iterable<QueuedGang> ahead(NavigableSet<SimJob> waiting, SimJob job, java.time.Instant now) {
    return () -> waiting.headSet(job, false).stream().filter(j -> !j.unschedulable)
        .map(j -> GangRequests.queued(j, fleet.topology(), now)).iterator();
  }
}
