package dev.gangway.operator.recovery;

import dev.gangway.act.NodeMarking;
import dev.gangway.job.JobDependencies;
import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.decide.PlacementDefaults;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.leadership.Leadership;
import dev.gangway.recovery.BadNodeTracker;
import dev.gangway.recovery.FailureClassifier;
import dev.gangway.recovery.RecoveryDefaults;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import dev.gangway.events.JobCloudEventPublisher;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The recovery domain's shared objects, built once from configuration. The stores are shared by
 * the messaging consumers (writers) and the job reconciler (reader); the defaults apply to jobs
 * that leave spec.failurePolicy unset. Each property can be set by its environment variable
 * (gangway.default.max-restarts ↔ GANGWAY_DEFAULT_MAX_RESTARTS, as the Helm chart does).
 */
public class RecoveryBeans {

  @Produces
  @Singleton
  RecoveryDefaults recoveryDefaults(
      @ConfigProperty(name = "gangway.default.max-restarts") Optional<Integer> maxRestarts,
      @ConfigProperty(name = "gangway.default.max-infrastructure-restarts") Optional<Integer> maxInfrastructureRestarts,
      @ConfigProperty(name = "gangway.default.backoff.initial-seconds") Optional<Long> initialSeconds,
      @ConfigProperty(name = "gangway.default.backoff.max-seconds") Optional<Long> maxSeconds,
      @ConfigProperty(name = "gangway.recovery.backoff-reset-seconds") Optional<Long> resetSeconds,
      @ConfigProperty(name = "gangway.default.exclude-failed-nodes") Optional<Boolean> excludeFailedNodes,
      @ConfigProperty(name = "gangway.default.node-exclusion-seconds") Optional<Long> nodeExclusionSeconds) {
    // Unset properties keep the API's documented defaults: the numbers live in one place (RecoveryDefaults.STANDARD).
    RecoveryDefaults standard = RecoveryDefaults.STANDARD;
    Duration initial = initialSeconds.map(Duration::ofSeconds).orElse(standard.backoffInitial());
    Duration max = maxSeconds.map(Duration::ofSeconds).orElse(standard.backoffMax());
    return new RecoveryDefaults(maxRestarts.orElse(standard.maxRestarts()),
        maxInfrastructureRestarts.orElse(standard.maxInfrastructureRestarts()), initial, max.compareTo(initial) < 0 ? initial : max,
        resetSeconds.map(Duration::ofSeconds).orElse(standard.backoffReset()), excludeFailedNodes.orElse(standard.excludeFailedNodes()),
        nodeExclusionSeconds.map(Duration::ofSeconds).orElse(standard.nodeExclusion()));
  }

  @Produces
  @Singleton
  FailureClassifier failureClassifier(
      @ConfigProperty(name = "gangway.recovery.node-not-ready-grace-seconds", defaultValue = "60") long graceSeconds) {
    return new FailureClassifier(Duration.ofSeconds(graceSeconds));
  }

  @Produces
  @Singleton
  BadNodeTracker badNodeTracker(
      @ConfigProperty(name = "gangway.recovery.bad-node.failures", defaultValue = "3") int failures,
      @ConfigProperty(name = "gangway.recovery.bad-node.window-seconds", defaultValue = "3600") long windowSeconds) {
    return new BadNodeTracker(failures, Duration.ofSeconds(windowSeconds));
  }

  @Produces
  @Singleton
  NodeHealthRegistry nodeHealthRegistry(
      @ConfigProperty(name = "gangway.node-health.fatal-ttl-seconds", defaultValue = "86400") long ttlSeconds) {
    return new NodeHealthRegistry(Duration.ofSeconds(ttlSeconds));
  }

  /** Everything the TrainingJob reconciler (in controllers, framework-free) needs from the application. */
  @Produces
  @Singleton
  JobDependencies jobDependencies(RecoveryDefaults defaults, FailureClassifier classifier, BadNodeTracker badNodes,
      NodeHealthRegistry health, CheckpointInbox checkpoints, JobCloudEventPublisher publisher,
      @ConfigProperty(name = "gangway.placement.bind-timeout-seconds", defaultValue = "60") long bindTimeoutSeconds,
      @ConfigProperty(name = "gangway.default.wait-for-tighter-seconds") Optional<Integer> waitForTighterSeconds,
      @ConfigProperty(name = "gangway.placement.head-holds-after-seconds", defaultValue = "0") long headHoldsAfterSeconds,
      MeterRegistry meters,
      @ConfigProperty(name = "gangway.node-health.taint-nodes", defaultValue = "false") boolean taintNodes,
      @ConfigProperty(name = "gangway.node-health.cordon-nodes", defaultValue = "false") boolean cordonNodes, Leadership leadership) {
    return new JobDependencies(Clock.systemUTC(), defaults, classifier, badNodes, health, checkpoints, publisher,
        Duration.ofSeconds(bindTimeoutSeconds), placementDefaults(waitForTighterSeconds, headHoldsAfterSeconds), meters, new NodeMarking(taintNodes, cordonNodes),
        leadership);
  }

  /** The wait unset: the API's documented default (PlacementDefaults.STANDARD's). */
  static PlacementDefaults placementDefaults(Optional<Integer> waitForTighterSeconds, long headHoldsAfterSeconds) {
    Duration wait = waitForTighterSeconds.map(s -> Duration.ofSeconds(Math.max(0, s))).orElse(PlacementDefaults.STANDARD.waitForTighter());
    return new PlacementDefaults(wait, Duration.ofSeconds(Math.max(0, headHoldsAfterSeconds)));
  }

  @Produces
  @Singleton
  CheckpointInbox checkpointInbox(@ConfigProperty(name = "gangway.checkpoints.inbox-capacity", defaultValue = "10000") int capacity) {
    return new CheckpointInbox(capacity);
  }
}
