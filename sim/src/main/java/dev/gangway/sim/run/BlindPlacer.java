package dev.gangway.sim.run;

import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.sim.fleet.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A topology-blind scheduler: each rank on a random node with room (kube-scheduler's spreading with
 * ties broken at random), one rank per node; a gang starts whenever it fits, whatever waits ahead of it.
 * Its placements are measured with {@link PlacementEngine#measure}, against the same lower bound.
 */
final class BlindPlacer implements Placer {

  private final Fleet fleet;
  private final Random rnd;
  private final PlacementEngine engine = new PlacementEngine();

  BlindPlacer(Fleet fleet, Random rnd) {
    this.fleet = fleet;
    this.rnd = rnd;
  }

  @Override
  public void pass(java.util.NavigableSet<SimJob> waiting, java.time.Instant now, Start start) {
    // A copy: each start takes its job out of the queue.
    for (SimJob job : new ArrayList<>(waiting)) {
      if (job.phase != Phase.QUEUED) continue; // restarting: in the queue, not yet to be placed
      if (!GangRequests.mightFit(job, fleet, now)) continue;
      List<Integer> fit = new ArrayList<>();
      for (int i = 0; i < fleet.size(); i++) {
        if (fleet.usable(i, job.spec.large()) && fleet.freeGpus(i) >= job.spec.gpusPerRank()) fit.add(i);
      }
      if (fit.size() < job.spec.replicas()) continue;
      int[] nodes = new int[job.spec.replicas()];
      for (int r = 0; r < nodes.length; r++) {
        int k = r + rnd.nextInt(fit.size() - r);
        int pick = fit.get(k);
        fit.set(k, fit.get(r));
        fit.set(r, pick);
        nodes[r] = pick;
      }
      GangRequest req = GangRequests.of(job, now);
      List<String> names = new ArrayList<>(nodes.length);
      for (int n : nodes) names.add(fleet.name(n));
      PlacementQuality q = engine.measure(fleet.snapshot(), req, names);
      start.start(job, nodes, q);
    }
  }
}
