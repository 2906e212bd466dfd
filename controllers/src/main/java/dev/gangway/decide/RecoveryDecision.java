package dev.gangway.decide;

import dev.gangway.recovery.RestartDecision;

/**
 * What the recovery step concluded this reconcile, for the status machine.
 *
 * @param restart the restart to record when {@link Kind#RESTART}
 */
public record RecoveryOutcome(Kind kind, String reason, String message, RestartDecision.Restart restart) {

  public enum Kind {
    /** No failure to act on. */
    NONE,
    /** The job fails: permanent error or restarts exhausted. */
    FAIL,
    /** The gang is torn down and restarted from its last checkpoint. */
    RESTART
  }

  public static final RecoveryOutcome NONE = new RecoveryOutcome(Kind.NONE, null, null, null);

  public static RecoveryOutcome fail(String reason, String message) {
    return new RecoveryOutcome(Kind.FAIL, reason, message, null);
  }

  public static RecoveryOutcome restart(RestartDecision.Restart restart) {
    return new RecoveryOutcome(Kind.RESTART, restart.classification().cause().name(), restart.message(), restart);
  }
}
