package dev.gangway.job;

import dev.gangway.decide.PlacementDecision;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.pod.Timestamps;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.goodput.Bucket;
import dev.gangway.decide.JobStatusMachine;
import dev.gangway.goodput.GoodputAccount;
import io.micrometer.core.instrument.Gauge;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What platform teams graph and alert on: how long placement decisions take and how good they are
 * next to the best possible, how often gangs restart and why, where recovery time goes, and each job's
 * goodput: of the GPU time it held, how much trained (status.goodput, as counters and a gauge per job).
 */
public final class JobMetrics {
  private static final Map<String, String> RECOVERY_SUMMARIES = Map.of(
      "gangway.recovery.seconds", "Failure to every rank of the next attempt running",
      "gangway.recovery.detection.seconds", "Failure to Gangway noticing it",
      "gangway.recovery.lost.work.seconds", "Training redone: last complete checkpoint to the failure");
  private final MeterRegistry registry;
  /** The goodput gauge of each job, with the figures it shows; removed with the job. */
  private final Map<ResourceID, JobGoodputGauge> goodput = new ConcurrentHashMap<>();
  /** Jobs whose first attempt this replica placed, with their creation time, until every rank is bound. */
  private final Map<ResourceID, Instant> awaitingBind = new ConcurrentHashMap<>();

  private record JobGoodputGauge(Gauge gauge, GoodputStatus status) {
  }

  public JobMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("gangway.fleet.goodput.ratio", goodput, JobMetrics::fleetRatio)
        .description("Useful GPU-seconds over GPU-seconds held, summed over the jobs that have a goodput gauge").register(registry);
    registerAtZero();
  }

  /**
   * Creates the meters whose labels are known in advance before their first event, so Prometheus sees them
   * start at zero: rate() and increase() then count the first restart or placement, and panels show 0, not "no data".
   */
  private void registerAtZero() {
    timeToRunning();
    allReduceVsBound();
    RECOVERY_SUMMARIES.keySet().forEach(this::recoverySummary);
    for (dev.gangway.recovery.Cause cause : dev.gangway.recovery.Cause.values()) {
      if (cause.defaultAction() != dev.gangway.api.v1alpha1.FailureAction.Ignore) {
        restarts(cause.name(), cause.infrastructure());
      }
    }
    for (PlacementDecision.Kind kind : PlacementDecision.Kind.values()) {
      if (kind != PlacementDecision.Kind.NONE) {
        decisionTimer(kind);
      }
    }
    usefulCounter();
    woken(0);
    orphansDeleted(0);
    for (Bucket cause : GoodputAccount.OBSERVED) {
      if (cause != Bucket.USEFUL) {
        lostCounter(cause);
      }
    }
  }

  private Counter usefulCounter() {
    return Counter.builder("gangway.gpu.seconds.useful").description("GPU-seconds of training kept by a checkpoint or the job's end")
        .register(registry);
  }

  private Counter lostCounter(Bucket cause) {
    return Counter.builder("gangway.gpu.seconds.lost").tag("cause", cause.name().toLowerCase(Locale.ROOT))
        .description("GPU-seconds jobs held without useful training, by cause").register(registry);
  }

  private Timer decisionTimer(PlacementDecision.Kind kind) {
    return Timer.builder("gangway.placement.decision")
        .description("A reconcile's placement step: queue, admission, lock wait, snapshot and engine; no API writes")
        .tag("outcome", kind.name().toLowerCase(Locale.ROOT)).publishPercentiles(0.5, 0.99).register(registry);
  }

  private DistributionSummary allReduceVsBound() {
    return DistributionSummary.builder("gangway.placement.allreduce.vs.bound")
        .description("Predicted ring all-reduce time over the best the free capacity allowed (1.0 is optimal)").register(registry);
  }

  private DistributionSummary timeToRunning() {
    return DistributionSummary.builder("gangway.job.time.to.running").baseUnit("seconds")
        .description("Job creation to every rank of its first attempt running")
        .serviceLevelObjectives(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600).register(registry);
  }

  private Counter restarts(String cause, boolean infrastructure) {
    return Counter.builder("gangway.restarts").description("Gang restarts by the failure's cause")
        .tags("cause", cause, "infrastructure", Boolean.toString(infrastructure)).register(registry);
  }

  private DistributionSummary recoverySummary(String name) {
    return DistributionSummary.builder(name).description(RECOVERY_SUMMARIES.get(name)).baseUnit("seconds").register(registry);
  }

  /**
   * In-place restarts a persisted status newly counts (status.inPlaceRestarts rose within the attempt, or a new
   * attempt's first count): the counter grows by them once, on the leader that wrote it.
   */
  void inPlaceRestarts(TrainingJobStatus before, TrainingJobStatus after) {
    int now = Objects.requireNonNullElse(after.getInPlaceRestarts(), 0);
    int was = JobStatusMachine.inPlaceRestartsKnown(before, after.getAttempt());
    if (now > was) {
      Counter.builder("gangway.restarts.in.place")
          .description("Restarts of training processes inside their pods (torchrun's, under failurePolicy.inPlaceRestarts), as checkpoint reports count them")
          .register(registry).increment(now - was);
    }
  }

  /** Rank pods of deleted jobs the leader deleted because the garbage collector had not. */
  void orphansDeleted(int pods) {
    Counter.builder("gangway.orphaned.pods.deleted")
        .description("Rank pods of deleted TrainingJobs that Gangway deleted itself, the garbage collector not having done so in time")
        .register(registry).increment(pods);
  }

  /** Waiting gangs woken by freed capacity, ahead of their retry timer. */
  void woken(int jobs) {
    Counter.builder("gangway.placement.wakeups").description("Waiting gangs decided again because capacity was freed, ahead of their retry")
        .register(registry).increment(jobs);
  }

  /** The placement queue's length at the latest decision, and the pods the placer's cluster cache holds. */
  void watch(Supplier<Number> waitingGangs, Supplier<Number> cachedPods) {
    Gauge.builder("gangway.placement.waiting.gangs", waitingGangs, s -> s.get().doubleValue())
        .description("Gangs waiting for capacity, as the latest placement decision counted them").strongReference(true).register(registry);
    Gauge.builder("gangway.placement.cache.pods", cachedPods, s -> s.get().doubleValue())
        .description("Pods the placement cache counts (every pod of the cluster, as the informer holds them)").strongReference(true)
        .register(registry);
  }

  /**
   * A persisted goodput change: the counters grow by what it added (useful training once a checkpoint or
   * the job's end keeps it, losses by cause), and the job's gauge shows its ratio.
   */
  void goodput(String namespace, String name, GoodputStatus before, GoodputStatus after) {
    if (after == null || after.equals(before)) {
      return;
    }
    GoodputAccount was = before == null ? GoodputAccount.opened(Instant.EPOCH) : GoodputAccount.of(before, Instant.EPOCH);
    GoodputAccount now = GoodputAccount.of(after, Instant.EPOCH);
    increment(usefulCounter(), now.kept() - was.kept());
    for (Bucket cause : GoodputAccount.OBSERVED) {
      if (cause != Bucket.USEFUL) {
        increment(lostCounter(cause), now.get(cause) - was.get(cause));
      }
    }
    if (after.getRatio() == null) {
      return;
    }
    goodput.compute(new ResourceID(name, namespace), (key, old) -> new JobGoodputGauge(old != null ? old.gauge()
        : Gauge.builder("gangway.job.goodput.ratio", goodput, all -> ratioOf(all.get(key)))
            .description("The job's useful GPU-seconds over the GPU-seconds it held so far (status.goodput.ratio)")
            .tags("namespace", namespace, "name", name).register(registry), after));
  }

  /** Removes the gauges of jobs {@code exists} no longer accepts: deleted jobs, or all on a follower. */
  void retainGoodput(Predicate<ResourceID> exists) {
    awaitingBind.keySet().removeIf(job -> !exists.test(job));
    goodput.keySet().removeIf(key -> {
      if (exists.test(key)) {
        return false;
      }
      JobGoodputGauge g = goodput.get(key);
      if (g != null) {
        registry.remove(g.gauge());
      }
      return true;
    });
  }

  private static double ratioOf(JobGoodputGauge g) {
    return g == null || g.status().getRatio() == null ? Double.NaN : g.status().getRatio();
  }

  private static double fleetRatio(Map<ResourceID, JobGoodputGauge> all) {
    long useful = 0;
    long held = 0;
    for (JobGoodputGauge g : all.values()) {
      useful += Objects.requireNonNullElse(g.status().getUsefulGpuSeconds(), 0L);
      held += Objects.requireNonNullElse(g.status().getHeldGpuSeconds(), 0L);
    }
    return held == 0 ? Double.NaN : (double) useful / held;
  }

  private static void increment(Counter counter, long amount) {
    if (amount > 0) {
      counter.increment(amount);
    }
  }

  /**
   * The placement step of one reconcile that decided or carried out a placement: the waiting gangs read from the
   * cache, the queue's admission, waiting for the placer's lock, the cluster snapshot and the engine. No API write.
   */
  void decision(Duration took, PlacementDecision outcome) {
    decisionTimer(outcome.kind()).record(took);
    if (outcome.kind() != PlacementDecision.Kind.PLACED) {
      return;
    }
    PlacementQuality q = outcome.quality();
    q.ringCrossings().forEach((level, n) -> DistributionSummary.builder("gangway.placement.ring.crossings")
        .description("Ring hops leaving a domain of the level, per placed gang").tag("level", level).register(registry).record(n));
    q.domainsSpanned().forEach((level, n) -> DistributionSummary.builder("gangway.placement.domains.spanned")
        .description("Domains of the level a placed gang spans").tag("level", level).register(registry).record(n));
    allReduceVsBound().record(q.allReduceVsBound());
  }

  /**
   * The gang had every rank running for the first time (status.startTime set): how long that took from the job's
   * creation, queueing and any time suspended before its first start included. Buckets, so dashboards can show quantiles.
   */
  void firstRunning(String creationTimestamp, TrainingJobStatus before, TrainingJobStatus after) {
    Instant created = Timestamps.parse(creationTimestamp);
    Instant started = after == null ? null : Timestamps.parse(after.getStartTime());
    if (created == null || started == null || (before != null && before.getStartTime() != null)) {
      return;
    }
    timeToRunning().record(Math.max(0, Duration.between(created, started).toMillis() / 1000.0));
  }

  /** One gang's snapshot from the placement cache plus the engine, under the placer's lock (no queue, no lock wait). */
  void solved(Duration took) {
    Timer.builder("gangway.placement.snapshot.engine")
        .description("One gang's cluster snapshot from the placement cache plus the placement engine, under the placer's lock")
        .publishPercentiles(0.5, 0.99).register(registry).record(took);
  }

  /** The API writes that carry out one reconcile's placement: annotate, then release (ungate and pin), in parallel per phase. */
  void writes(Duration took) {
    Timer.builder("gangway.placement.writes")
        .description("API writes carrying out a placement in one reconcile: reserved-node annotations, then release")
        .publishPercentiles(0.5, 0.99).register(registry).record(took);
  }

  /**
   * Times a job's first attempt from the job's creation (kubectl apply) to every rank bound, for gangs this replica
   * placed: {@code placed} when it decides, {@code allBound} at each later reconcile. A replica that did not place the
   * gang (a new leader) records nothing for it rather than a time that would include the takeover.
   */
  void firstAttempt(ResourceID job, int attempt, Instant created, boolean placed, boolean allBound, Instant now) {
    if (attempt != 1) {
      awaitingBind.remove(job);
      return;
    }
    if (placed) {
      awaitingBind.put(job, created);
    }
    if (allBound) {
      Instant since = awaitingBind.remove(job);
      if (since != null) {
        Timer.builder("gangway.placement.apply.to.bound")
            .description("TrainingJob created (kubectl apply) to every rank of its first attempt bound, as a reconcile saw it")
            .publishPercentiles(0.5, 0.99).register(registry).record(Duration.between(since, now));
      }
    }
  }

  void restarted(RestartRecord record, boolean infrastructure) {
    restarts(String.valueOf(record.getCause()), infrastructure).increment();
  }

  void recovered(TrainingJobStatus status) {
    if (status.getTimings() == null) {
      return;
    }
    record("gangway.recovery.seconds", status.getTimings().getLastRecoverySeconds());
    record("gangway.recovery.detection.seconds", status.getTimings().getLastDetectionSeconds());
    record("gangway.recovery.lost.work.seconds", status.getTimings().getLastLostWorkSeconds());
  }

  private void record(String name, Long seconds) {
    if (seconds != null) {
      recoverySummary(name).record(seconds);
    }
  }
}
