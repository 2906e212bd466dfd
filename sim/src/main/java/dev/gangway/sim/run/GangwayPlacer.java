package dev.gangway.sim.run;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.QueuedGang;
import dev.gangway.placement.Reservation;
import dev.gangway.sim.fleet.Fleet;
import java.util.NavigableSet;

/**
 * Gangway's own placement: {@link PlacementQueue#admit} says whether a gang is unschedulable, first, or
 * behind a head that holds capacity; {@link PlacementEngine#place} picks the nodes, on the cluster with
 * the head's capacity hidden when the gang is behind it.
 */
final class GangwayPlacer implements Placer {

  private final Fleet fleet;
  private final PlacementEngine engine = new PlacementEngine();
  private final PlacementQueue queue = new PlacementQueue(engine);
  private final int window;

  GangwayPlacer(Fleet fleet, int window) {
    this.fleet = fleet;
    this.window = window;
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
      PlacementQueue.Admission admission = behindHead != null ? behindHead
          : queue.admit(self, ahead(waiting, job, now), waiting.size(), t -> current);
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
        case FIRST -> result = engine.place(current, req);
        default -> {
          // Behind a head that holds capacity: skip the snapshot with it hidden when what is left cannot hold the gang.
          if (held == null) {
            held = new java.util.HashMap<>();
            for (Reservation r : admission.hidden()) held.merge(r.node(), r.resources().gpus(), Integer::sum);
          }
          if (!fleet.mightHold(job.spec.replicas(), job.spec.gpusPerRank(), job.spec.large(), GangRequests.excluded(job, now), held)) continue;
          if (withHeld == null) withHeld = fleet.snapshotHolding(admission.hidden());
          result = engine.place(withHeld, req);
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
   * The gangs ahead of {@code job} in the queue, as the queue reads them, built only as far as it reads: it stops at the
   * first that holds capacity. Jobs found unschedulable are reported, not queued.
   */
  private Iterable<QueuedGang> ahead(NavigableSet<SimJob> waiting, SimJob job, java.time.Instant now) {
    return () -> waiting.headSet(job, false).stream().filter(j -> !j.unschedulable)
        .map(j -> GangRequests.queued(j, fleet.topology(), now)).iterator();
  }
}
