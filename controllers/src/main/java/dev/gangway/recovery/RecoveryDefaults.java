package dev.gangway.recovery;

import java.time.Duration;

/**
 * Operator-wide defaults for jobs that leave parts of spec.failurePolicy unset, and tunables that
 * are not per job. The Helm chart sets them through GANGWAY_DEFAULT_* variables.
 *
 * @param backoffReset a failure this long after the previous one restarts the backoff at its initial delay
 */
public record RecoveryDefaults(int maxRestarts, int maxInfrastructureRestarts, Duration backoffInitial, Duration backoffMax,
                               Duration backoffReset, boolean excludeFailedNodes) {

  /** The API's documented defaults: 3 restarts, 10 infrastructure restarts, 10 s doubling to 300 s, reset after 10 min. */
  public static final RecoveryDefaults STANDARD =
      new RecoveryDefaults(3, 10, Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofMinutes(10), true);
}
