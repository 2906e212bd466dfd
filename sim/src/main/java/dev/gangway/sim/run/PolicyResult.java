package dev.gangway.sim.run;

import dev.gangway.sim.policy.Policy;
import java.util.List;
import java.util.Map;

/**
 * What one policy achieved on a scenario; hours are simulated wall-clock hours, GPU-hours are those times the GPUs.
 *
 * @param cpuSeconds CPU time the simulation of this policy took (the thread's, so other load on the machine does not count)
 */
public record PolicyResult(Policy policy, LargeJob large, Stream stream, FleetUse fleet, long events, double cpuSeconds) {

  /**
   * The large pre-training job.
   *
   * @param ettr effective training time ratio: useful training over elapsed time
   * @param hoursByBucket elapsed time by bucket; sums to {@code elapsedHours}
   * @param restartsByCause restarts by the cause Gangway classified (or "in place" for a restart-in-place policy)
   * @param interruptionsByCategory faults that interrupted the job, by the failure table's category
   * @param excludedNodes nodes the job excludes at the end (status.nodeExclusions not over yet)
   * @param waitingSinceDay when it entered the queue it was still waiting in at the end (null if it was not)
   * @param unschedulableMessage why the queue found it could never be placed (null if it did not)
   * @param defaultBudgetSpentDay when the API's default restart budgets (3 own, 10 infrastructure) would have
   *     failed the job (null if never); the simulated job sets budgets large enough to run on
   * @param meanIntervalMinutes mean checkpoint interval used
   * @param dailyGoodput useful training per day over 24 h, day by day
   */
  public record LargeJob(String key, int gpus, double elapsedHours, double ettr, Map<String, Double> hoursByBucket,
      int interruptions, Map<String, Integer> restartsByCause, Map<String, Integer> interruptionsByCategory, int placements,
      double meanAllReduceVsBound, double meanRingCostVsBound, int excludedNodes, Double waitingSinceDay,
      String unschedulableMessage, Double defaultBudgetSpentDay, double meanIntervalMinutes, List<Double> dailyGoodput,
      List<TimelineEvent> timeline) {
  }

  /**
   * The mixed stream, all its jobs together; GPU-hours are per job times its GPUs.
   *
   * @param queueByDay at the end of each simulated day, the jobs in Gangway's queue (or waiting to start, for a blind
   *     policy) and the GPUs they ask for: whether the offered load outruns the fleet shows here as a queue that keeps growing
   */
  public record Stream(int submitted, int completed, int failed, int unfinished, Map<String, Double> gpuHoursByBucket,
      double goodput, double meanWaitHours, double p95WaitHours, int multiNodePlacements, double meanAllReduceVsBound,
      double p95AllReduceVsBound, double atBoundShare, Map<String, Integer> restartsByCause, List<QueueSample> queueByDay) {
  }

  /**
   * The queue at one moment: jobs waiting and the GPUs they ask for; beside it, the nodes cordoned then (Gangway cordons a
   * node several jobs failed on; it is back once inspected and repaired, or never with {@code Costs#inspects()} false, when
   * the fleet shrinks over a long run).
   */
  public record QueueSample(double day, int jobs, long gpus, int cordonedNodes) {
  }

  /** The whole fleet: GPU-hours it had, held by jobs, and trained usefully. */
  public record FleetUse(double gpuHours, double allocatedGpuHours, double usefulGpuHours) {
    public double utilisation() {
      return gpuHours == 0 ? 0 : allocatedGpuHours / gpuHours;
    }

    public double goodput() {
      return gpuHours == 0 ? 0 : usefulGpuHours / gpuHours;
    }
  }

  /** A fault that hit the large job, or its return to training. */
  public record TimelineEvent(double day, String kind, String cause) {
  }
}
