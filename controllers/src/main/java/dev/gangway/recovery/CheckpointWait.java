package dev.gangway.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a proactive restart holds off for the next checkpoint. A fatal health signal usually
 * comes before the node takes the job down (an XID or ECC error is reported, the process may run
 * on for minutes); a checkpoint written in that time is work not lost. Holds only while the whole
 * gang still runs, only up to {@code wait} after the signal, and not once a checkpoint newer than
 * the signal was accepted. Pure.
 */
public final class CheckpointWait {

  private CheckpointWait() {
  }

  /**
   * @param gangRunning every rank of the attempt still runs (nothing has failed yet)
   * @param lastCheckpointTime when the job's last accepted checkpoint was completed, or null
   * @return when to look again, if the restart is to wait; empty to restart now
   */
  public static Optional<Instant> holdUntil(Classification c, boolean gangRunning, Duration wait, Instant lastCheckpointTime,
                                            Instant now) {
    Instant signalled = c.failure().node().since();
    boolean rankStillRuns = c.failure().exitCode() == null;
    if (wait.isZero() || wait.isNegative() || c.cause() != Cause.NodeUnhealthy || !gangRunning || !rankStillRuns || signalled == null) {
      return Optional.empty();
    }
    if (lastCheckpointTime != null && lastCheckpointTime.isAfter(signalled)) {
      return Optional.empty();
    }
    Instant deadline = signalled.plus(wait);
    return now.isBefore(deadline) ? Optional.of(deadline) : Optional.empty();
  }
}
