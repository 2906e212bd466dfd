package dev.gangway.sim.run;

import dev.gangway.placement.PlacementQuality;
import dev.gangway.goodput.Bucket;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.sim.job.JobSpec;
import dev.gangway.sim.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import dev.gangway.recovery.NodeExclusions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects what the result reports while a simulation runs, and turns it into a {@link PolicyResult}. A job's figures are
 * taken as it ends (its time by bucket, in the scenario's order so that sums come out the same whichever job ends first;
 * its wait and placement quality as they happen), so the run keeps no job it is done with.
 */
final class Metrics {

  private static final int BUCKETS = Bucket.values().length;

  private final Map<String, Integer> largeRestarts = new TreeMap<>();
  private final Map<String, Integer> largeInterruptions = new TreeMap<>();
  private final Map<String, Integer> streamRestarts = new TreeMap<>();
  private final List<PolicyResult.TimelineEvent> timeline = new ArrayList<>();
  private final List<Double> daily = new ArrayList<>();
  private final List<PolicyResult.QueueSample> queueByDay = new ArrayList<>();
  private final List<JobSpec> specs;
  /** Each ended job's milliseconds by bucket, at {@code ordinal * BUCKETS}; zero for jobs never submitted. */
  private final long[] millisByJob;
  private int streamSubmitted;
  private int streamCompleted;
  private int streamFailed;
  private final java.util.stream.DoubleStream.Builder streamWaits = java.util.stream.DoubleStream.builder();
  private final java.util.stream.DoubleStream.Builder streamRatios = java.util.stream.DoubleStream.builder();
  private int streamAtBound;
  private long lastDayProgress;
  private long intervalSum;
  private int intervals;
  private Double budgetSpentDay;

  Metrics(List<JobSpec> specs) {
    this.specs = specs;
    this.millisByJob = new long[specs.size() * BUCKETS];
  }

  void submitted(SimJob job) {
    if (!job.spec.large()) streamSubmitted++;
  }

  void placed(SimJob job, PlacementQuality quality, long now) {
    if (job.spec.large()) return;
    if (!job.placedBefore) streamWaits.add(Durations.toHours(now - job.spec.submit()));
    job.placedBefore = true;
    if (job.spec.replicas() > 1 && quality != null) {
      streamRatios.add(quality.allReduceVsBound());
      if (quality.allReduceVsBound() <= 1.0 + 1e-9) streamAtBound++;
    }
  }

  /** The job is done, or the run is over: its time is all charged. */
  void ended(SimJob job) {
    for (Bucket b : Bucket.values()) millisByJob[job.ordinal * BUCKETS + b.ordinal()] = job.ledger.get(b);
    if (job.spec.large()) return;
    if (job.phase == Phase.DONE && !job.failed) streamCompleted++;
    if (job.failed) streamFailed++;
  }

  private long millis(int ordinal, Bucket b) {
    return millisByJob[ordinal * BUCKETS + b.ordinal()];
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

  void queue(java.util.Collection<SimJob> waiting, Fleet fleet, long now) {
    long gpus = 0;
    for (SimJob j : waiting) gpus += j.spec.gpus();
    int cordoned = 0;
    for (int i = 0; i < fleet.size(); i++) if (fleet.cordoned(i)) cordoned++;
    queueByDay.add(new PolicyResult.QueueSample(day(now), waiting.size(), gpus, cordoned));
  }

  void day(SimJob job) {
    long p = job.progress();
    daily.add((p - lastDayProgress) / (double) Durations.DAY);
    lastDayProgress = p;
  }

  PolicyResult result(Policy policy, SimJob large, Fleet fleet, Scenario scenario, long allocatedGpuMillis, long events,
      double wallSeconds) {
    double useful = 0;
    for (int i = 0; i < specs.size(); i++) useful += millis(i, Bucket.USEFUL) / (double) Durations.HOUR * specs.get(i).gpus();
    double fleetGpuHours = fleet.size() * (double) fleet.gpusPerNode() * Durations.toHours(scenario.horizon());
    return new PolicyResult(policy, large == null ? null : large(large), streamSubmitted == 0 ? null : stream(),
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

  private PolicyResult.Stream stream() {
    Map<String, Double> gpuHours = new LinkedHashMap<>();
    for (Bucket b : Bucket.values()) {
      double s = 0;
      for (int i = 0; i < specs.size(); i++) {
        if (!specs.get(i).large()) s += millis(i, b) / (double) Durations.HOUR * specs.get(i).gpus();
      }
      gpuHours.put(b.name(), s);
    }
    double total = gpuHours.values().stream().mapToDouble(Double::doubleValue).sum();
    // Sorted, so the order jobs were placed in does not move the mean's last digit.
    double[] w = streamWaits.build().sorted().toArray();
    double[] r = streamRatios.build().sorted().toArray();
    return new PolicyResult.Stream(streamSubmitted, streamCompleted, streamFailed, streamSubmitted - streamCompleted - streamFailed,
        gpuHours, total == 0 ? 0 : gpuHours.get(Bucket.USEFUL.name()) / total, mean(w), percentile(w, 0.95), r.length, mean(r),
        percentile(r, 0.95), r.length == 0 ? 0 : streamAtBound / (double) r.length, Map.copyOf(streamRestarts), List.copyOf(queueByDay));
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
