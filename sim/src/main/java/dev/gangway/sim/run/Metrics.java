package dev.gangway.sim.run;

import dev.gangway.placement.PlacementQuality;
import dev.gangway.goodput.Bucket;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.sim.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import dev.gangway.recovery.NodeExclusions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Collects what the result reports while a simulation runs, and turns it into a {@link PolicyResult}. */
final class Metrics {

  private final Map<String, Integer> largeRestarts = new TreeMap<>();
  private final Map<String, Integer> largeInterruptions = new TreeMap<>();
  private final Map<String, Integer> streamRestarts = new TreeMap<>();
  private final List<PolicyResult.TimelineEvent> timeline = new ArrayList<>();
  private final List<Double> daily = new ArrayList<>();
  private final List<PolicyResult.QueueSample> queueByDay = new ArrayList<>();
  private final Map<SimJob, Long> firstPlaced = new HashMap<>();
  private long lastDayProgress;
  private long intervalSum;
  private int intervals;
  private Double budgetSpentDay;

  void placed(SimJob job, long now) {
    firstPlaced.putIfAbsent(job, now);
  }

  void interrupted(SimJob job, Fault f, long now) {
    if (!job.spec.large()) return;
    largeInterruptions.merge(f.component().category(), 1, Integer::sum);
    timeline.add(new PolicyResult.TimelineEvent(day(now), "fault", f.component().name()));
  }

  void restarted(SimJob job, String cause, long now) {
    if (!job.spec.large()) {
      streamRestarts.merge(cause, 1, Integer::sum);
      return;
    }
    largeRestarts.merge(cause, 1, Integer::sum);
    timeline.add(new PolicyResult.TimelineEvent(day(now), "restart", cause));
    Integer own = job.status.getRestarts();
    Integer infra = job.status.getInfrastructureRestarts();
    if (budgetSpentDay == null && ((own != null && own > 3) || (infra != null && infra > 10))) budgetSpentDay = day(now);
  }

  void resumed(SimJob job, long now) {
    if (job.spec.large() && job.attempt() > 1) timeline.add(new PolicyResult.TimelineEvent(day(now), "training", "attempt " + job.attempt()));
  }

  void interval(SimJob job, long sinceCheckpoint) {
    if (!job.spec.large()) return;
    intervalSum += sinceCheckpoint;
    intervals++;
  }

  void queue(java.util.Collection<SimJob> waiting, long now) {
    long gpus = 0;
    for (SimJob j : waiting) gpus += j.spec.gpus();
    queueByDay.add(new PolicyResult.QueueSample(day(now), waiting.size(), gpus));
  }

  void day(SimJob job) {
    long p = job.progress();
    daily.add((p - lastDayProgress) / (double) Durations.DAY);
    lastDayProgress = p;
  }

  PolicyResult result(Policy policy, List<SimJob> jobs, Fleet fleet, Scenario scenario, long allocatedGpuMillis, long events,
      double wallSeconds) {
    SimJob large = jobs.stream().filter(j -> j.spec.large()).findFirst().orElse(null);
    List<SimJob> stream = jobs.stream().filter(j -> !j.spec.large() && j.phase != Phase.PENDING).toList();
    double useful = 0;
    for (SimJob j : jobs) useful += j.ledger.get(Bucket.USEFUL) / (double) Durations.HOUR * j.spec.gpus();
    double fleetGpuHours = fleet.size() * (double) fleet.gpusPerNode() * Durations.toHours(scenario.horizon());
    return new PolicyResult(policy, large == null ? null : large(large), stream.isEmpty() ? null : stream(stream),
        new PolicyResult.FleetUse(fleetGpuHours, allocatedGpuMillis / (double) Durations.HOUR, useful), events, wallSeconds);
  }

  private PolicyResult.LargeJob large(SimJob j) {
    long elapsed = j.end - j.spec.submit();
    Map<String, Double> hours = new LinkedHashMap<>();
    for (Bucket b : Bucket.values()) hours.put(b.name(), Durations.toHours(j.ledger.get(b)));
    double[] ratios = j.placements.stream().mapToDouble(PlacementQuality::allReduceVsBound).toArray();
    double[] costs = j.placements.stream().mapToDouble(PlacementQuality::ringCostVsBound).toArray();
    int excluded = NodeExclusions.activeIn(j.status, Durations.instant(j.end)).size();
    return new PolicyResult.LargeJob(j.spec.key(), j.spec.gpus(), Durations.toHours(elapsed),
        j.ledger.get(Bucket.USEFUL) / (double) elapsed, hours, j.interruptions, Map.copyOf(largeRestarts), Map.copyOf(largeInterruptions),
        j.placements.size(), mean(ratios), mean(costs), excluded, j.phase == Phase.QUEUED ? Double.valueOf(day(j.queuedAt)) : null,
        j.unschedulableMessage, budgetSpentDay, intervals == 0 ? 0 : intervalSum / (double) intervals / Durations.MINUTE,
        List.copyOf(daily), List.copyOf(timeline));
  }

  private PolicyResult.Stream stream(List<SimJob> jobs) {
    Map<String, Double> gpuHours = new LinkedHashMap<>();
    for (Bucket b : Bucket.values()) {
      double s = 0;
      for (SimJob j : jobs) s += j.ledger.get(b) / (double) Durations.HOUR * j.spec.gpus();
      gpuHours.put(b.name(), s);
    }
    double total = gpuHours.values().stream().mapToDouble(Double::doubleValue).sum();
    int completed = 0;
    int failed = 0;
    List<Double> waits = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    int atBound = 0;
    for (SimJob j : jobs) {
      if (j.phase == Phase.DONE && !j.failed) completed++;
      if (j.failed) failed++;
      Long placed = firstPlaced.get(j);
      if (placed != null) waits.add(Durations.toHours(placed - j.spec.submit()));
      if (j.spec.replicas() > 1) {
        for (PlacementQuality q : j.placements) {
          ratios.add(q.allReduceVsBound());
          if (q.allReduceVsBound() <= 1.0 + 1e-9) atBound++;
        }
      }
    }
    double[] w = waits.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new PolicyResult.Stream(jobs.size(), completed, failed, jobs.size() - completed - failed, gpuHours,
        total == 0 ? 0 : gpuHours.get(Bucket.USEFUL.name()) / total, mean(w), percentile(w, 0.95), r.length, mean(r),
        percentile(r, 0.95), r.length == 0 ? 0 : atBound / (double) r.length, Map.copyOf(streamRestarts), List.copyOf(queueByDay));
  }

  static double mean(double[] a) {
    return a.length == 0 ? 0 : Arrays.stream(a).average().orElse(0);
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) return 0;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double day(long millis) {
    return millis / (double) Durations.DAY;
  }
}
