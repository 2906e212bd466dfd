package dev.gangway.decide;

import io.fabric8.kubernetes.api.model.Condition;
import dev.gangway.api.v1alpha1.PlacementStatus;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.pod.Timestamps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
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
 * <p>The last write is read from the stored status ({@code goodput.updatedTime}, refreshed by every write of
 * a job that holds GPUs), so the pacing survives a leader change. A job with no goodput yet is not paced.
 */
public final class ProgressPacing {
  /** The shortest pause between progress writes; the Job controller batches pod updates over a second as well. */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  /** The longest: `kubectl get tj` may lag this much behind the pods, never more. */
  static final Duration MAX_INTERVAL = Duration.ofSeconds(5);
  private static final Duration PER_RANK = Duration.ofNanos(2_500_000);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

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
   */
  public static Duration holdFor(TrainingJobStatus stored, TrainingJobStatus next, List<JobEvent> events, int replicas, Instant now) {
    if (!events.isEmpty() || stored.getGoodput() == null || stored.getGoodput().getUpdatedTime() == null || !onlyProgress(stored, next)) {
      return null;
    }
    Instant due = Timestamps.parseOr(stored.getGoodput().getUpdatedTime(), now).plus(interval(replicas));
    return due.isAfter(now) ? Duration.between(now, due) : null;
  }

  /** Whether the two statuses differ, and only in progress: equal once {@code next}'s progress is taken from {@code stored}. */
  static boolean onlyProgress(TrainingJobStatus stored, TrainingJobStatus next) {
    if (next.equals(stored)) {
      return false;
    }
    TrainingJobStatus progressReverted = SERIALIZATION.clone(next);
    progressReverted.setReadyRanks(stored.getReadyRanks());
    progressReverted.setReady(stored.getReady());
    progressReverted.setGoodput(stored.getGoodput());
    if (next.getPlacement() != null && stored.getPlacement() != null) {
      PlacementStatus placement = progressReverted.getPlacement();
      placement.setRanks(stored.getPlacement().getRanks());
    }
    if (next.getConditions() != null && stored.getConditions() != null && next.getConditions().size() == stored.getConditions().size()) {
      for (int i = 0; i < next.getConditions().size(); i++) {
        Condition was = stored.getConditions().get(i);
        Condition now = progressReverted.getConditions().get(i);
        if (sameButMessage(was, now)) {
          now.setMessage(was.getMessage());
        }
      }
    }
    return progressReverted.equals(stored);
  }

  private static boolean sameButMessage(Condition a, Condition b) {
    return Objects.equals(a.getType(), b.getType()) && Objects.equals(a.getStatus(), b.getStatus()) && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getLastTransitionTime(), b.getLastTransitionTime()) && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
  }
}
