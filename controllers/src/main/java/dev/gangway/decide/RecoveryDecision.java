package dev.gangway.decide;

import dev.gangway.recovery.RestartPlan;
import java.time.Instant;

/**
 * What the recovery step decided this reconcile: the outcome the status machine records, and what
 * goes with it.
 *
 * @param restart the restart to record when {@link Kind#RESTART}
 * @param recheckAt when to look again at a failure that is not acted on yet (a NotReady node in its grace period), or null
 * @param flaggedNode a node that just crossed the bad-node threshold across jobs, or null
 * @param note an Event to record about a decision to wait, or null
 */
public record RecoveryDecision(Kind kind, String reason, String message, RestartPlan.Restart restart, Instant recheckAt,
                               String flaggedNode, JobEvent note) {

  public enum Kind {
    /** No failure to act on (yet). */
    NONE,
    /** The job fails: permanent error or restarts exhausted. */
    FAIL,
    /** The gang is torn down and restarted from its last checkpoint. */
    RESTART
  }

  public static final RecoveryDecision NONE = new RecoveryDecision(Kind.NONE, null, null, null, null, null, null);

  /** Nothing to do now; look again at {@code recheckAt} (may be null). */
  public static RecoveryDecision waiting(Instant recheckAt, String flaggedNode, JobEvent note) {
    return new RecoveryDecision(Kind.NONE, null, null, null, recheckAt, flaggedNode, note);
  }

  public static RecoveryDecision fail(String reason, String message, String flaggedNode) {
    return new RecoveryDecision(Kind.FAIL, reason, message, null, null, flaggedNode, null);
  }

  public static RecoveryDecision restart(RestartPlan.Restart restart, String flaggedNode) {
    return new RecoveryDecision(Kind.RESTART, restart.classification().cause().name(), restart.message(), restart, null, flaggedNode,
        null);
  }
}
