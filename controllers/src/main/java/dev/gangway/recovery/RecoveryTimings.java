package dev.gangway.recovery;

import java.time.Duration;
import java.time.Instant;

/**
 * Where the time of one recovery went, for status.timings, metrics and the goodput numbers.
 * Each part is null when a milestone it needs is unknown; negative spans (the kubelet's clock
 * ahead of the operator's) count as zero.
 *
 * @param detection failure → Gangway noticed it
 * @param replacement restart decided → every rank of the new attempt bound to a node
 * @param recovery failure → every rank of the new attempt running again
 * @param lostWork training redone: from the last complete checkpoint, or the failed attempt's
 *     start if that is later, to the failure
 */
public record RecoveryTimings(Duration detection, Duration replacement, Duration recovery, Duration lostWork) {

  /**
   * @param failedAt when the rank failed
   * @param detectedAt when Gangway classified the failure
   * @param restartDecidedAt when the restart was decided
   * @param allBoundAt when the new attempt's last rank was bound to a node
   * @param allRunningAt when the new attempt's last rank was running
   * @param lastCheckpointAt time of the checkpoint the new attempt resumes from, null if none
   * @param attemptRunningSince when the failed attempt had all ranks running
   */
  public static RecoveryTimings of(Instant failedAt, Instant detectedAt, Instant restartDecidedAt, Instant allBoundAt,
                                   Instant allRunningAt, Instant lastCheckpointAt, Instant attemptRunningSince) {
    Instant workFrom = latest(lastCheckpointAt, attemptRunningSince);
    return new RecoveryTimings(span(failedAt, detectedAt), span(restartDecidedAt, allBoundAt), span(failedAt, allRunningAt),
        span(workFrom, failedAt));
  }

  public Long detectionSeconds() {
    return seconds(detection);
  }

  public Long replacementSeconds() {
    return seconds(replacement);
  }

  public Long recoverySeconds() {
    return seconds(recovery);
  }

  public Long lostWorkSeconds() {
    return seconds(lostWork);
  }

  private static Duration span(Instant from, Instant to) {
    if (from == null || to == null) {
      return null;
    }
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.isAfter(b) ? a : b;
  }

  private static Long seconds(Duration d) {
    return d == null ? null : Math.round(d.toMillis() / 1000.0);
  }
}
