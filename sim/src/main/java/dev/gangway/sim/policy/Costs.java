package dev.gangway.sim.policy;

import dev.gangway.sim.clock.Durations;

/**
 * What time things take, whatever the policy. Defaults and their sources are in sim/README.md.
 *
 * @param collectiveTimeout NCCL's watchdog: how long surviving ranks wait on a dead peer before aborting
 * @param exitSeen a rank's exit → Gangway's pod watch sees it failed
 * @param nodeMonitorGrace kubelet silent → node Ready=Unknown (kube-controller-manager's node-monitor-grace-period)
 * @param notReadyGrace Gangway's grace for a NotReady node before its ranks count as failed
 * @param healthSignal fault → the health agent's Fatal signal reaches Gangway
 * @param teardown deleting a failed attempt's pods until its nodes are free again
 * @param commFraction share of a step that is exposed collective communication at the best placement; a
 *     placement whose predicted all-reduce is r× the lower bound makes steps 1 + commFraction·(r − 1) times longer
 * @param inspection a node Gangway flagged (several jobs failed there) → an administrator or a remediation controller
 *     has checked it: it returns to service then, or once its repair ends if it is broken (Gangway's Cleared path);
 *     negative: nobody ever returns a flagged node (the fleet shrinks)
 */
public record Costs(long collectiveTimeout, long exitSeen, long nodeMonitorGrace, long notReadyGrace, long healthSignal,
    long teardown, double commFraction, long inspection) {

  public static Costs standard() {
    return new Costs(Durations.minutes(10), 5 * Durations.SECOND, 40 * Durations.SECOND, 60 * Durations.SECOND,
        10 * Durations.SECOND, 60 * Durations.SECOND, 0.15, Durations.hours(2));
  }

  public Costs withInspection(long millis) {
    return new Costs(collectiveTimeout, exitSeen, nodeMonitorGrace, notReadyGrace, healthSignal, teardown, commFraction, millis);
  }

  /** Whether someone returns flagged nodes to service at all. */
  public boolean inspects() {
    return inspection >= 0;
  }
}
