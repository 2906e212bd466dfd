package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.Backoff;
import dev.gangway.api.v1alpha1.FailurePolicy;
import java.time.Duration;

/**
 * Operator-wide defaults for every spec.failurePolicy field a job leaves unset, and tunables that
 * are not per job. {@link #STANDARD} unless the platform sets GANGWAY_DEFAULT_* (the Helm chart's
 * failurePolicy values).
 *
 * @param backoffReset a failure this long after the previous one restarts the backoff at its initial delay
 * @param nodeExclusion how long a job keeps off a node after a failure there that is the node's
 */
public record RecoveryDefaults(int maxRestarts, int maxInfrastructureRestarts, Duration backoffInitial, Duration backoffMax,
                               Duration backoffReset, boolean excludeFailedNodes, Duration nodeExclusion) {

  /** Out of the box: the defaults the API documents (its DEFAULT_* constants, shown by kubectl explain); reset after 10 min. */
  public static final RecoveryDefaults STANDARD = new RecoveryDefaults(FailurePolicy.DEFAULT_MAX_RESTARTS,
      FailurePolicy.DEFAULT_MAX_INFRASTRUCTURE_RESTARTS, Duration.ofSeconds(Backoff.DEFAULT_INITIAL_SECONDS),
      Duration.ofSeconds(Backoff.DEFAULT_MAX_SECONDS), Duration.ofMinutes(10), FailurePolicy.DEFAULT_EXCLUDE_FAILED_NODES,
      Duration.ofSeconds(FailurePolicy.DEFAULT_NODE_EXCLUSION_SECONDS));
}
