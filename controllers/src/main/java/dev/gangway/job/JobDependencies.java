package dev.gangway.job;

import dev.gangway.act.NodeMarking;
import dev.gangway.checkpoint.CheckpointInbox;
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
 * fill, the event channel, recovery defaults and placement settings. The operator builds one from
 * configuration; tests use {@link #standalone()}.
 *
 * @param bindTimeout how long placed ranks may take to bind before the gang is placed again
 * @param backfillBound ignored, kept so existing configuration still loads: backfill is safe at any age of the queue's head,
 *     since gangs behind it never take the capacity held for it (see {@link dev.gangway.placement.PlacementQueue})
 * @param nodeMarking whether Gangway taints or cordons nodes it finds bad (fatal health signal, repeated failures across jobs)
 * @param leadership whether this replica may write to the cluster
 */
public record JobDependencies(Clock clock, RecoveryDefaults recoveryDefaults, FailureClassifier classifier, BadNodeTracker badNodes,
                              NodeHealthRegistry health, CheckpointInbox checkpoints, JobCloudEventPublisher publisher,
                              Duration bindTimeout, Duration backfillBound, MeterRegistry meters, NodeMarking nodeMarking,
                              Leadership leadership) {

  /** Defaults as documented, in-process stores, no event channel. */
  public static JobDependencies standalone() {
    return new JobDependencies(Clock.systemUTC(), RecoveryDefaults.STANDARD, new FailureClassifier(Duration.ofSeconds(60)),
        new BadNodeTracker(3, Duration.ofHours(1)), new NodeHealthRegistry(Duration.ofDays(1)), new CheckpointInbox(10_000),
        JobCloudEventPublisher.discarding(), Duration.ofSeconds(60), Duration.ofMinutes(10), new SimpleMeterRegistry(), NodeMarking.NONE,
        Leadership.always());
  }

  public JobDependencies withBindTimeout(Duration timeout) {
    return new JobDependencies(clock, recoveryDefaults, classifier, badNodes, health, checkpoints, publisher, timeout, backfillBound,
        meters, nodeMarking, leadership);
  }

  public JobDependencies withNodeMarking(NodeMarking marking) {
    return new JobDependencies(clock, recoveryDefaults, classifier, badNodes, health, checkpoints, publisher, bindTimeout, backfillBound,
        meters, marking, leadership);
  }
}
