package dev.gangway.job;

import dev.gangway.act.NodeMarking;
import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.decide.PlacementDefaults;
import dev.gangway.events.JobCloudEventPublisher;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.leadership.Leadership;
import dev.gangway.recovery.BadNodeTracker;
import dev.gangway.recovery.FailureClassifier;
import dev.gangway.recovery.RecoveryDefaults;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * What the job reconciler shares with the rest of the operator: the stores the messaging channels
 * fill, the event channel, recovery and placement defaults and placement settings. The operator builds one from
 * configuration; tests use {@link #standalone()}.
 *
 * @param bindTimeout how long placed ranks may take to bind before the gang is placed again
 * @param placementDefaults what a job's spec.topology leaves unset
 * @param nodeMarking whether Gangway taints or cordons nodes it finds bad (fatal health signal, repeated failures across jobs)
 * @param leadership whether this replica may write to the cluster
 */
public record JobDependencies(Clock clock, RecoveryDefaults recoveryDefaults, FailureClassifier classifier, BadNodeTracker badNodes,
                              NodeHealthRegistry health, CheckpointInbox checkpoints, JobCloudEventPublisher publisher,
                              Duration bindTimeout, PlacementDefaults placementDefaults, MeterRegistry meters, NodeMarking nodeMarking,
                              Leadership leadership) {

  /** Defaults as documented, in-process stores, no event channel. */
  public static JobDependencies standalone() {
    return new JobDependencies(Clock.systemUTC(), RecoveryDefaults.STANDARD, new FailureClassifier(Duration.ofSeconds(60)),
        new BadNodeTracker(3, Duration.ofHours(1)), new NodeHealthRegistry(Duration.ofDays(1)), new CheckpointInbox(10_000),
        JobCloudEventPublisher.discarding(), Duration.ofSeconds(60), PlacementDefaults.STANDARD, new SimpleMeterRegistry(), NodeMarking.NONE,
        Leadership.always());
  }

  public JobDependencies withBindTimeout(Duration timeout) {
    return new JobDependencies(clock, recoveryDefaults, classifier, badNodes, health, checkpoints, publisher, timeout, placementDefaults,
        meters, nodeMarking, leadership);
  }

  public JobDependencies withPlacementDefaults(PlacementDefaults defaults) {
    return new JobDependencies(clock, recoveryDefaults, classifier, badNodes, health, checkpoints, publisher, bindTimeout, defaults,
        meters, nodeMarking, leadership);
  }

  public JobDependencies withNodeMarking(NodeMarking marking) {
    return new JobDependencies(clock, recoveryDefaults, classifier, badNodes, health, checkpoints, publisher, bindTimeout, placementDefaults,
        meters, marking, leadership);
  }
}
