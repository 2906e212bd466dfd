package dev.gangway.decide;

import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.util.List;

/**
 * One reconcile's decision: the status to persist and what to do once it is persisted. Nothing in
 * here has happened yet; every action is idempotent, so it may be done again after a crash.
 *
 * @param status the job's next status; written before any action
 * @param pods rank pods to create and pods to delete
 * @param placement writes that carry a placement decision onto the pods (reservation, then release)
 * @param events Events (and CloudEvents) the transition is worth
 * @param flaggedNode a node that just crossed the bad-node threshold across jobs, to taint or cordon; or null
 * @param recovery what recovery decided, for metrics
 * @param wake when to look at the job again although nothing changes, or null
 * @param placementTime how long the placement decision took, or null when none was made
 */
public record JobDecision(TrainingJobStatus status, GangActions pods, PlacementDecision placement, List<JobEvent> events,
                          String flaggedNode, RecoveryDecision recovery, Duration wake, Duration placementTime) {
}
