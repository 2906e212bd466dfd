package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.FailureAction;
import java.time.Instant;

/**
 * What the failure policy says about one failure.
 *
 * @param source "default" or the rule that decided, e.g. "spec.failurePolicy.rules[1]"
 * @param message one paragraph a person can act on; for user-code failures it ends with the rank's last log lines
 * @param recheckAt for {@link Cause#NodeNotReadyWithinGrace}: when the grace period ends and the rank
 *     should be looked at again; null otherwise
 */
public record Classification(FailureAction action, Cause cause, Failure failure, String source, String message, Instant recheckAt) {

  public static final String DEFAULT_SOURCE = "default";

  /** A restart for this failure counts against maxInfrastructureRestarts rather than maxRestarts. */
  public boolean infrastructure() {
    return cause.infrastructure();
  }
}
