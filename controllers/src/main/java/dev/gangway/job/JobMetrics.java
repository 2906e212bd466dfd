package dev.gangway.job;

import dev.gangway.decide.PlacementDecision;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.placement.PlacementQuality;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What platform teams graph and alert on: how long placement decisions take and how good they are
 * next to the best possible, how often gangs restart and why, and where recovery time goes.
 */
public final class JobMetrics {
  private final MeterRegistry registry;

  public JobMetrics(MeterRegistry registry, Supplier<Number> waitingGangs) {
    this.registry = registry;
    registry.gauge("gangway.placement.waiting.gangs", java.util.List.of(), waitingGangs, s -> s.get().doubleValue());
  }

  void decision(Duration took, PlacementDecision outcome) {
    Timer.builder("gangway.placement.decision").description("Time to decide a gang's placement")
        .tag("outcome", outcome.kind().name().toLowerCase(java.util.Locale.ROOT)).publishPercentiles(0.5, 0.99)
        .register(registry).record(took);
    if (outcome.kind() != PlacementDecision.Kind.PLACED) {
      return;
    }
    PlacementQuality q = outcome.quality();
    q.ringCrossings().forEach((level, n) -> DistributionSummary.builder("gangway.placement.ring.crossings")
        .description("Ring hops leaving a domain of the level, per placed gang").tag("level", level).register(registry).record(n));
    q.domainsSpanned().forEach((level, n) -> DistributionSummary.builder("gangway.placement.domains.spanned")
        .description("Domains of the level a placed gang spans").tag("level", level).register(registry).record(n));
    DistributionSummary.builder("gangway.placement.allreduce.vs.bound")
        .description("Predicted ring all-reduce time over the best the free capacity allowed (1.0 is optimal)")
        .register(registry).record(q.allReduceVsBound());
  }

  void restarted(RestartRecord record, boolean infrastructure) {
    registry.counter("gangway.restarts", "cause", String.valueOf(record.getCause()), "infrastructure", Boolean.toString(infrastructure))
        .increment();
  }

  void recovered(TrainingJobStatus status) {
    if (status.getTimings() == null) {
      return;
    }
    record("gangway.recovery.seconds", "Failure to every rank of the next attempt running", status.getTimings().getLastRecoverySeconds());
    record("gangway.recovery.detection.seconds", "Failure to Gangway noticing it", status.getTimings().getLastDetectionSeconds());
    record("gangway.recovery.lost.work.seconds", "Training redone: last complete checkpoint to the failure",
        status.getTimings().getLastLostWorkSeconds());
  }

  private void record(String name, String description, Long seconds) {
    if (seconds != null) {
      DistributionSummary.builder(name).description(description).baseUnit("seconds").register(registry).record(seconds);
    }
  }
}
