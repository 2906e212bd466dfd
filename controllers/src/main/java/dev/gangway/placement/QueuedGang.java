package dev.gangway.placement;

import dev.gangway.topology.Topology;
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
 */
public record QueuedGang(String jobKey, int priority, Instant createdAt, Instant waitingSince, Topology topology,
    GangRequest request) {

  /** Queue order: higher priority first, then older, then by key so that every replica agrees. */
  public static final Comparator<QueuedGang> ORDER = Comparator.comparingInt((QueuedGang g) -> -g.priority())
      .thenComparing(QueuedGang::createdAt).thenComparing(QueuedGang::jobKey);
}
