package dev.gangway.sim.run;

import dev.gangway.placement.PlacementQuality;
import java.time.Instant;
import java.util.NavigableSet;

/** Decides which waiting jobs start now, and where. */
interface Placer {

  /** Called for each job placed: its node per rank and the placement's quality. */
  interface Start {
    void start(SimJob job, int[] nodes, PlacementQuality quality);
  }

  /**
   * Looks at the waiting jobs ({@code waiting}, kept in {@link GangRequests#QUEUE_ORDER}) and starts those that get nodes,
   * which {@code start} removes from it; {@code now} decides which exclusions still hold.
   */
  void pass(NavigableSet<SimJob> waiting, Instant now, Start start);
}
