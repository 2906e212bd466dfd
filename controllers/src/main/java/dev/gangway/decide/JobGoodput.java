package dev.gangway.decide;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.goodput.AttemptEnd;
import dev.gangway.goodput.Bucket;
import dev.gangway.goodput.GoodputAccount;
import dev.gangway.placement.PlacementResult;
import dev.gangway.pod.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * status.goodput of the decided status, read from the status facts: what the job was doing since the
 * last update (phase, condition Placed) is the bucket the time goes to; a restart record, a terminal
 * failure or a suspension ends the running attempt. Refreshed only when the status is written anyway,
 * or once per {@link #REFRESH} while the job holds GPUs, so goodput adds no write per reconcile.
 */
public final class JobGoodput {
  /** How often a job holding GPUs gets its goodput refreshed although nothing else changed. */
  public static final Duration REFRESH = Duration.ofSeconds(60);
  /**
   * Placed=False reasons of a gang that cannot be placed now for lack of room, or (holding out for a tighter placement)
   * for lack of room that is tight enough.
   */
  private static final Set<String> WAITING_FOR_CAPACITY = Set.of(GangPlacementStep.UNSCHEDULABLE, GangPlacementStep.QUEUED_BEHIND,
      PlacementResult.INSUFFICIENT_CAPACITY, PlacementResult.NO_NODE_AVAILABLE, PlacementResult.REQUIRED_LEVEL_TOO_SMALL,
      PlacementResult.WAITING_FOR_TIGHTER_PLACEMENT);

  private JobGoodput() {
  }

  /**
   * @param stored the status as stored (what the job was doing since status.goodput was last updated)
   * @param next the decided status, carrying the stored goodput
   * @return the goodput to persist with {@code next}: the stored one when no refresh is due
   */
  public static GoodputStatus next(TrainingJobStatus stored, TrainingJobStatus next, Instant now) {
    GoodputStatus before = stored.getGoodput();
    boolean written = !next.equals(stored);
    // A job already holding GPUs without goodput (status written by an older operator) opens its account now.
    boolean opening = before == null && held(next);
    if (!written && !opening && !due(stored, now)) {
      return before;
    }
    if (before == null) {
      return held(next) ? GoodputAccount.opened(now).toStatus() : null;
    }
    int gpus = Objects.requireNonNullElse(next.getGpus(), 0);
    GoodputAccount account = GoodputAccount.of(before, now).charge(bucketOf(stored), gpus, now);
    if (stored.getPhase() == JobPhase.Running && next.getPhase() != JobPhase.Running && next.getPhase() != JobPhase.Succeeded) {
      account = account.end(attemptEnd(stored, next), gpus, now);
    }
    if (next.getPhase() == JobPhase.Running) {
      CheckpointStatus restarted = newInPlaceRestart(stored, next);
      if (restarted != null) {
        account = account.restartedInPlace(runningSince(next), Timestamps.parse(restarted.getResumedFromTime()),
            Timestamps.parse(restarted.getInPlaceRestartTime()), checkpointOf(next), gpus);
      }
      account = account.running(runningSince(next), checkpointOf(next), gpus, now);
    } else {
      account = account.running(null, null, gpus, now);
    }
    return account.toStatus();
  }

  /** When to look at the job again only to refresh its goodput; null when it holds no GPUs. */
  public static Duration refreshIn(TrainingJobStatus status, Instant now) {
    if (!held(status) || status.getGoodput() == null) {
      return null;
    }
    Instant at = Timestamps.parseOr(status.getGoodput().getUpdatedTime(), now).plus(REFRESH);
    Duration in = Duration.between(now, at);
    return in.isNegative() ? Duration.ZERO : in;
  }

  private static boolean due(TrainingJobStatus stored, Instant now) {
    return stored.getGoodput() != null && held(stored) && refreshIn(stored, now).isZero();
  }

  /** Whether the gang holds (or is owed, after a restart) its GPUs. */
  static boolean held(TrainingJobStatus s) {
    return s.getPhase() == JobPhase.Running || s.getPhase() == JobPhase.Restarting
        || (s.getPhase() == JobPhase.Pending && JobConditions.isTrue(s.getConditions(), JobConditions.PLACED));
  }

  /** The bucket of the time the job spent in this status; null when it held no GPUs. */
  static Bucket bucketOf(TrainingJobStatus s) {
    if (!held(s)) {
      return null;
    }
    if (s.getPhase() == JobPhase.Running) {
      return Bucket.USEFUL;
    }
    boolean waiting = s.getPhase() == JobPhase.Restarting
        && JobConditions.notPlacedReason(s.getConditions()).filter(WAITING_FOR_CAPACITY::contains).isPresent();
    return waiting ? Bucket.WAITING_CAPACITY : Bucket.RESTART;
  }

  /** The stored attempt stopped: with the failure's times when a restart was just recorded for it. */
  private static AttemptEnd attemptEnd(TrainingJobStatus stored, TrainingJobStatus next) {
    Instant runningSince = runningSince(stored);
    Instant checkpoint = checkpointOf(next, stored.getAttempt());
    List<RestartRecord> history = next.getRestartHistory();
    RestartRecord last = history == null || history.isEmpty() ? null : history.get(history.size() - 1);
    boolean restarted = last != null && !Objects.equals(history, stored.getRestartHistory())
        && Objects.equals(last.getAttempt(), stored.getAttempt());
    return restarted
        ? new AttemptEnd(runningSince, checkpoint, Timestamps.parse(last.getTime()), Timestamps.parse(last.getDetectedTime()))
        : new AttemptEnd(runningSince, checkpoint, null, null);
  }

  /**
   * The decided status's checkpoint when it is the first to count an in-place restart of the attempt (status.inPlaceRestarts
   * of the stored status was lower) and says when it happened; null otherwise.
   */
  private static CheckpointStatus newInPlaceRestart(TrainingJobStatus stored, TrainingJobStatus next) {
    CheckpointStatus c = next.getLastCheckpoint();
    if (c == null || Timestamps.parse(c.getInPlaceRestartTime()) == null || !Objects.equals(c.getAttempt(), next.getAttempt())) {
      return null;
    }
    return Objects.requireNonNullElse(c.getInPlaceRestarts(), 0) > JobStatusMachine.inPlaceRestartsKnown(stored, next.getAttempt()) ? c : null;
  }

  /** When every rank of the status's attempt was running: its Running condition's transition. */
  private static Instant runningSince(TrainingJobStatus s) {
    return JobConditions.find(s.getConditions(), JobConditions.RUNNING).filter(c -> "True".equals(c.getStatus()))
        .map(c -> Timestamps.parse(c.getLastTransitionTime())).orElse(null);
  }

  private static Instant checkpointOf(TrainingJobStatus s) {
    return checkpointOf(s, s.getAttempt());
  }

  /** The time of the last checkpoint when the attempt wrote it; an older attempt's checkpoint keeps nothing of this one. */
  private static Instant checkpointOf(TrainingJobStatus s, Integer attempt) {
    CheckpointStatus c = s.getLastCheckpoint();
    if (c == null || (c.getAttempt() != null && !c.getAttempt().equals(attempt))) {
      return null;
    }
    return Timestamps.parse(c.getTime());
  }
}
