package dev.gangway.sim.run;

import dev.gangway.placement.PlacementQuality;
import java.time.Instant;
import java.util.List;

/** Decides which waiting jobs start now, and where. */
interface Placer {

  /** Called for each job placed: its node per rank and the placement's quality. */
  interface Start {
    void start(SimJob job, int[] nodes, PlacementQuality quality);
  }

  /** Looks at the waiting jobs in queue order and starts those that get nodes; {@code now} decides which exclusions still hold. */
  void pass(List<SimJob> waiting, Instant now, Start start);
}
