package dev.gangway.sim.policy;

/**
 * One way of running the fleet, compared with others on the same faults and jobs.
 *
 * @param gangwayRecovery true: Gangway's FailureClassifier, CheckpointWait and RestartPlanner decide, and the
 *     gang is re-placed by the engine; false: a restart waits for the failed node's repair and restarts on the
 *     same nodes (a job-level restart script with a fixed node list)
 * @param topologyAware true: Gangway's PlacementEngine and PlacementQueue; false: a topology-blind scheduler
 *     (random free nodes, greedy queue, like kube-scheduler spreading with ties broken at random)
 * @param healthSignals a node health agent reports faults it can see (Fatal signals, and Cleared once the node is
 *     repaired); Gangway then restarts on the signal and keeps gangs off the node until it is repaired. Without it,
 *     a node the BadNodeTracker flags (3 jobs failed there within an hour) stays cordoned until the fleet's repair loop
 *     (an administrator or remediation controller, {@code Costs#inspection}) has inspected it and it is repaired
 * @param collectiveTimeoutOnly every fault is noticed only when the collective times out (no pod or node watch)
 * @param excludeFailedNodes spec.failurePolicy.excludeFailedNodes of the jobs (the job keeps off a node where it failed for the
 *     node's fault, for nodeExclusionSeconds: the API's default)
 * @param dalyInterval checkpoint interval from Daly's formula on the job's observed MTBF, else {@code fixedIntervalMinutes}
 * @param hotSpares nodes kept free for the large job (tainted; only it tolerates them)
 * @param checkpointWaitSeconds spec.failurePolicy.checkpointWaitSeconds of the jobs
 * @param headHoldsAfterMinutes the operator's placement.headHoldsAfterSeconds, in minutes: how long a waiting gang that
 *     does not fit lets the gangs behind it pass before it holds capacity (0, the default: at once); topology-aware only
 */
public record Policy(String name, boolean gangwayRecovery, boolean topologyAware, boolean healthSignals,
    boolean collectiveTimeoutOnly, boolean excludeFailedNodes, boolean dalyInterval,
    double fixedIntervalMinutes, int hotSpares, int checkpointWaitSeconds, double headHoldsAfterMinutes) {

  public Policy(String name, boolean gangwayRecovery, boolean topologyAware, boolean healthSignals, boolean collectiveTimeoutOnly,
      boolean excludeFailedNodes, boolean dalyInterval, double fixedIntervalMinutes, int hotSpares, int checkpointWaitSeconds) {
    this(name, gangwayRecovery, topologyAware, healthSignals, collectiveTimeoutOnly, excludeFailedNodes, dalyInterval,
        fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, 0);
  }

  /** Fixed interval, restart in place after repair, no exclusion, detection by collective timeout, topology-blind. */
  public static Policy naive(double intervalMinutes) {
    return new Policy("naive", false, false, false, true, false, false, intervalMinutes, 0, 0);
  }

  /** Gangway as installed: pod and node watches, per-job exclusion, the engine and queue; no health agent. */
  public static Policy gangwayDefaults(double intervalMinutes) {
    return new Policy("gangway-defaults", true, true, false, false, true, false, intervalMinutes, 0, 0);
  }

  /** Gangway tuned: health-driven detection and node exclusion until repair, per-job exclusion (the default), Daly interval, hot spares. */
  public static Policy gangwayTuned(double intervalMinutes, int hotSpares) {
    return new Policy("gangway-tuned", true, true, true, false, true, true, intervalMinutes, hotSpares, 0);
  }

  public Policy named(String n) {
    return new Policy(n, gangwayRecovery, topologyAware, healthSignals, collectiveTimeoutOnly, excludeFailedNodes,
        dalyInterval, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withHealthSignals(boolean v) {
    return new Policy(name, gangwayRecovery, topologyAware, v, collectiveTimeoutOnly, excludeFailedNodes,
        dalyInterval, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withExcludeFailedNodes(boolean v) {
    return new Policy(name, gangwayRecovery, topologyAware, healthSignals, collectiveTimeoutOnly, v,
        dalyInterval, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withDalyInterval(boolean v) {
    return new Policy(name, gangwayRecovery, topologyAware, healthSignals, collectiveTimeoutOnly, excludeFailedNodes,
        v, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withHotSpares(int n) {
    return new Policy(name, gangwayRecovery, topologyAware, healthSignals, collectiveTimeoutOnly, excludeFailedNodes,
        dalyInterval, fixedIntervalMinutes, n, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withTopologyAware(boolean v) {
    return new Policy(name, gangwayRecovery, v, healthSignals, collectiveTimeoutOnly, excludeFailedNodes,
        dalyInterval, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withGangwayRecovery(boolean v) {
    return new Policy(name, v, topologyAware, healthSignals, v ? false : collectiveTimeoutOnly, excludeFailedNodes,
        dalyInterval, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, headHoldsAfterMinutes);
  }

  public Policy withHeadHoldsAfterMinutes(double minutes) {
    return new Policy(name, gangwayRecovery, topologyAware, healthSignals, collectiveTimeoutOnly, excludeFailedNodes,
        dalyInterval, fixedIntervalMinutes, hotSpares, checkpointWaitSeconds, minutes);
  }

  /**
   * The policies a run compares: naive, Gangway's defaults and Gangway tuned, then (with {@code ablation}) the
   * tuned policy without each of its mechanisms in turn, and the defaults and naive with one change each.
   */
  public static java.util.List<Policy> compared(double interval, int spares, boolean ablation) {
    Policy tuned = gangwayTuned(interval, spares);
    Policy defaults = gangwayDefaults(interval);
    java.util.List<Policy> out = new java.util.ArrayList<>(java.util.List.of(naive(interval), defaults, tuned));
    if (ablation) {
      out.add(tuned.withHealthSignals(false).named("tuned without health signals"));
      out.add(tuned.withDalyInterval(false).named("tuned with the fixed interval"));
      out.add(tuned.withHotSpares(0).named("tuned without hot spares"));
      out.add(tuned.withExcludeFailedNodes(false).named("tuned without per-job exclusion"));
      out.add(tuned.withTopologyAware(false).named("tuned, topology-blind greedy scheduler"));
      out.add(defaults.withExcludeFailedNodes(false).named("defaults without per-job exclusion"));
      out.add(naive(interval).withGangwayRecovery(true).named("naive + Gangway recovery"));
    }
    return out;
  }
}
