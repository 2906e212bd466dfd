package dev.gangway.decide;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.api.v1alpha1.PlacementStatus;
import dev.gangway.api.v1alpha1.RankPlacement;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Paces status writes that only report progress: the ready count, which pod and node each rank has, and a
 * condition's message while its status and reason stay. Such a change is an observation, not a decision
 * (nothing acts on it), so it waits until {@link #interval} has passed since the status was last written;
 * every other change is written at once. Without this a gang writes its status once per reconcile while
 * its pods come and go — 55 writes of a 2,000-rank status in one restart — and each write costs the API
 * server and every watcher in proportion to the status, which lists every rank.
 *
 * <p>The last write is what the leader remembers of its own writes: a new leader writes its first change at once.
 */
public final class ProgressPacing {
  /** The shortest pause between progress writes; the Job controller batches pod updates over a second as well. */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  /** The longest: `kubectl get tj` may lag this much behind the pods, never more. */
  static final Duration MAX_INTERVAL = Duration.ofSeconds(5);
  private static final Duration PER_RANK = Duration.ofNanos(2_500_000);

  private ProgressPacing() {
  }

  /** The pause between progress writes of a gang of this size: a bigger status is written less often. */
  static Duration interval(int replicas) {
    Duration scaled = PER_RANK.multipliedBy(Math.max(0, replicas));
    return scaled.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : scaled.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : scaled;
  }

  /**
   * How long the decided status should wait before it is written, or null to write it now.
   *
   * @param stored the status as stored
   * @param next the decided status, before its goodput is refreshed
   * @param events the Events the decision records: a change worth an Event is never paced
   * @param lastWritten when the status was last written, or null when not known
   */
  public static Duration holdFor(TrainingJobStatus stored, TrainingJobStatus next, List<JobEvent> events, int replicas,
                                 Instant lastWritten, Instant now) {
    if (lastWritten == null || !events.isEmpty() || !onlyProgress(stored, next)) {
      return null;
    }
    Instant due = lastWritten.plus(interval(replicas));
    return due.isAfter(now) ? Duration.between(now, due) : null;
  }

  /** Whether the two statuses differ, and only in progress: equal once {@code next}'s progress is taken from {@code stored}. */
  static boolean onlyProgress(TrainingJobStatus stored, TrainingJobStatus next) {
    if (next.equals(stored)) {
      return false;
    }
    // Compared with stored's progress swapped into next and back: a copy of a status listing thousands of ranks costs more.
    Integer readyRanks = next.getReadyRanks();
    String ready = next.getReady();
    GoodputStatus goodput = next.getGoodput();
    List<Condition> conditions = next.getConditions();
    PlacementStatus placement = next.getPlacement();
    List<RankPlacement> ranks = placement == null ? null : placement.getRanks();
    try {
      next.setReadyRanks(stored.getReadyRanks());
      next.setReady(stored.getReady());
      next.setGoodput(stored.getGoodput());
      next.setConditions(withMessagesOf(stored.getConditions(), conditions));
      if (placement != null && stored.getPlacement() != null) {
        placement.setRanks(stored.getPlacement().getRanks());
      }
      return next.equals(stored);
    } finally {
      next.setReadyRanks(readyRanks);
      next.setReady(ready);
      next.setGoodput(goodput);
      next.setConditions(conditions);
      if (placement != null) {
        placement.setRanks(ranks);
      }
    }
  }

  /** The conditions, each with the stored message where only the message changed. */
  private static List<Condition> withMessagesOf(List<Condition> stored, List<Condition> next) {
    if (stored == null || next == null || stored.size() != next.size()) {
      return next;
    }
    List<Condition> merged = new ArrayList<>(next.size());
    for (int i = 0; i < next.size(); i++) {
      Condition was = stored.get(i);
      Condition now = next.get(i);
      merged.add(sameButMessage(was, now) ? new ConditionBuilder(now).withMessage(was.getMessage()).build() : now);
    }
    return merged;
  }

  private static boolean sameButMessage(Condition a, Condition b) {
    return Objects.equals(a.getType(), b.getType()) && Objects.equals(a.getStatus(), b.getStatus()) && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getLastTransitionTime(), b.getLastTransitionTime()) && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
  }
}
