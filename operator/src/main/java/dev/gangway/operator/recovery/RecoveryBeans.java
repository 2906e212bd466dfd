package dev.gangway.operator.recovery;

import dev.gangway.act.NodeMarking;
import dev.gangway.job.JobDependencies;
import dev.gangway.checkpoint.CheckpointInbox;
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
import dev.gangway.events.JobEventPublisher;
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
      @ConfigProperty(name = "gangway.default.max-restarts", defaultValue = "3") int maxRestarts,
      @ConfigProperty(name = "gangway.default.max-infrastructure-restarts", defaultValue = "10") int maxInfrastructureRestarts,
      @ConfigProperty(name = "gangway.default.backoff.initial-seconds", defaultValue = "10") long initialSeconds,
      @ConfigProperty(name = "gangway.default.backoff.max-seconds", defaultValue = "300") long maxSeconds,
      @ConfigProperty(name = "gangway.recovery.backoff-reset-seconds", defaultValue = "600") long resetSeconds,
      @ConfigProperty(name = "gangway.default.exclude-failed-nodes", defaultValue = "true") boolean excludeFailedNodes) {
    return new RecoveryDefaults(maxRestarts, maxInfrastructureRestarts, Duration.ofSeconds(initialSeconds),
        Duration.ofSeconds(Math.max(initialSeconds, maxSeconds)), Duration.ofSeconds(resetSeconds), excludeFailedNodes);
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
      NodeHealthRegistry health, CheckpointInbox checkpoints, JobEventPublisher publisher,
      @ConfigProperty(name = "gangway.placement.bind-timeout-seconds", defaultValue = "60") long bindTimeoutSeconds,
      // Accepted and ignored: backfill never takes the capacity held for the queue's head, so it needs no time bound.
      @ConfigProperty(name = "gangway.placement.backfill-bound-seconds", defaultValue = "600") long backfillBoundSeconds,
      MeterRegistry meters,
      @ConfigProperty(name = "gangway.node-health.taint-nodes", defaultValue = "false") boolean taintNodes,
      @ConfigProperty(name = "gangway.node-health.cordon-nodes", defaultValue = "false") boolean cordonNodes, Leadership leadership) {
    return new JobDependencies(Clock.systemUTC(), defaults, classifier, badNodes, health, checkpoints, publisher,
        Duration.ofSeconds(bindTimeoutSeconds), Duration.ofSeconds(backfillBoundSeconds), meters, new NodeMarking(taintNodes, cordonNodes),
        leadership);
  }

  @Produces
  @Singleton
  CheckpointInbox checkpointInbox(@ConfigProperty(name = "gangway.checkpoints.inbox-capacity", defaultValue = "10000") int capacity) {
    return new CheckpointInbox(capacity);
  }
}
