package dev.gangway.e2e.chaos;

import java.time.Duration;

/**
 * Size of a chaos run: the cluster, how many jobs and faults, over which windows.
 *
 * @param nodeFile          e2e/clusters/NAME.yaml to start
 * @param maxRanks          the largest gang of the workload
 * @param arrivals          jobs arrive uniformly over this window
 * @param faultWindow       faults fall uniformly over this window
 * @param settle            after the last fault, how long every job has to reach its terminal state
 * @param nodeNotReadyGrace the operator's gangway.recovery.node-not-ready-grace-seconds for the run
 * @param faultsWaitForTargets whether a due fault without a target waits until the fault window
 *                          ends (rather than a fixed patience) before it is counted as skipped
 */
public record ChaosProfile(String name, String nodeFile, ClusterShape shape, int jobs, int faults, int maxRanks, Duration arrivals,
                           Duration faultWindow, Duration minRun, Duration maxRun, Duration settle, Duration nodeNotReadyGrace,
                           boolean faultsWaitForTargets) {

  /** The form `./gangway test` runs (~5 min): the 16-node cluster, because superpod does not fit in 5 minutes on 2 cores. */
  public static final ChaosProfile SHORT = new ChaosProfile("short", "small", ClusterShape.SMALL, 20, 45, 16,
      Duration.ofSeconds(120), Duration.ofSeconds(170), Duration.ofSeconds(25), Duration.ofSeconds(70), Duration.ofSeconds(150),
      Duration.ofSeconds(15), false);
  /**
   * The full run of issue 10: superpod, 64 jobs of 1-64 ranks, 220 faults. Jobs train 3-8 min (the
   * run lets every idle job succeed once the faults are over): with 1-4 min, two runs found a target
   * for only ~90 of the 220 faults, most jobs having finished or still recovering when one fell due.
   * For the same reason a fault here waits for a target until the fault window ends: on 2 cores a
   * snapshot of 128 nodes takes 6-10 s, and three runs with a fixed patience applied 69-91 faults.
   */
  public static final ChaosProfile FULL = new ChaosProfile("full", "superpod", ClusterShape.SUPERPOD, 64, 220, 64,
      Duration.ofMinutes(8), Duration.ofMinutes(12), Duration.ofSeconds(180), Duration.ofSeconds(480), Duration.ofMinutes(6),
      Duration.ofSeconds(15), true);

  public static ChaosProfile named(String name) {
    return switch (name) {
      case "short" -> SHORT;
      case "full" -> FULL;
      default -> throw new IllegalArgumentException("unknown chaos profile '" + name + "': short or full");
    };
  }
}
