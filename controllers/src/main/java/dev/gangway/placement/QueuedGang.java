package dev.gangway.placement;

import dev.gangway.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;

/**
 * A gang waiting to be placed, as its TrainingJob is stored in the API server: so any replica,
 * including a leader elected a moment ago, rebuilds the same queue from its informer cache.
 *
 * @param priority the rank pods' scheduling priority (PriorityClass value)
 * @param createdAt the TrainingJob's creationTimestamp
 * @param waitingSince when its Placed condition last turned False (creation if it never had one)
 * @param topology the topology the gang is placed on
 * @param waitForTighter how long after {@code waitingSince} it may hold out for a tighter placement
 *     ({@link TighterPlacement}); zero: none
 */
public record QueuedGang(String jobKey, int priority, Instant createdAt, Instant waitingSince, Topology topology,
    GangRequest request, Duration waitForTighter) {

  public QueuedGang {
    waitForTighter = waitForTighter == null || waitForTighter.isNegative() ? Duration.ZERO : waitForTighter;
  }

  /** A gang that places as soon as it fits. */
  public QueuedGang(String jobKey, int priority, Instant createdAt, Instant waitingSince, Topology topology, GangRequest request) {
    this(jobKey, priority, createdAt, waitingSince, topology, request, Duration.ZERO);
  }

  /** Until when it holds out for a tighter placement; {@code waitingSince} itself when it does not. */
  public Instant tighterUntil() {
    // A job the API server never stamped waits since Instant.MAX (see WaitingGangs.createdAt): no overflow.
    return waitForTighter.isZero() || waitingSince.isAfter(Instant.MAX.minus(waitForTighter)) ? waitingSince
        : waitingSince.plus(waitForTighter);
  }

  /** Whether at {@code now} it still holds out for a tighter placement. */
  public boolean holdsOutForTighter(Instant now) {
    return now != null && now.isBefore(tighterUntil());
  }

  /** Queue order: higher priority first, then older, then by key so that every replica agrees. */
  public static final Comparator<QueuedGang> ORDER = Comparator.comparingInt((QueuedGang g) -> -g.priority())
      .thenComparing(QueuedGang::createdAt).thenComparing(QueuedGang::jobKey);
}
