package dev.gangway.decide;

import dev.gangway.api.v1alpha1.AvoidedNode;
import dev.gangway.placement.PlacementQuality;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the placement step decided this reconcile: the outcome the status machine records, and the
 * pod writes that carry it out once it is persisted (empty collections: nothing to write).
 *
 * @param nodes node per rank when {@link Kind#PLACED}
 * @param avoid nodes the job's placement avoids from now on, when {@link Kind#EXPIRED}; otherwise empty
 * @param create ranks whose pods are to be created, already pinned to their decided node
 * @param release gated pods whose node no pod of the previous attempt holds any more: to pin (if not yet), annotate and ungate
 * @param delete pods of an expired decision, to be created and placed again
 * @param recheckAt when the job must be looked at again even if nothing changes (a bind deadline), or null
 * @param time when the decision was made: the released-at time of the ranks it releases
 */
public record PlacementDecision(Kind kind, String reason, String message, List<String> nodes, PlacementQuality quality,
                                List<AvoidedNode> avoid, List<PinnedRank> create, Map<Pod, String> release, List<Pod> delete,
                                Instant recheckAt, Instant time) {

  public enum Kind {
    /** No new outcome: ranks are still being created, or the gang is placed already (its writes may still be due). */
    NONE,
    /** The gang cannot be placed now; reason and message say why. */
    WAITING,
    /** The gang was just assigned to nodes. */
    PLACED,
    /** Assigned ranks did not bind in time (or waited on a pod stuck terminating); the attempt's pods are deleted to be placed again. */
    EXPIRED
  }

  public static final PlacementDecision NONE = new PlacementDecision(Kind.NONE, null, null, null, null, List.of(), List.of(), Map.of(),
      List.of(), null, null);

  public static PlacementDecision waiting(String reason, String message) {
    return waiting(reason, message, null);
  }

  /** Waiting, to be looked at again at {@code recheckAt} even if nothing changes (null: only when something does). */
  public static PlacementDecision waiting(String reason, String message, Instant recheckAt) {
    return new PlacementDecision(Kind.WAITING, reason, message, null, null, List.of(), List.of(), Map.of(), List.of(), recheckAt, null);
  }

  /**
   * A decision just made: once it is persisted, the gang's pods are created pinned to {@code nodes}, and pods that
   * exist already (created gated by an earlier version) are pinned and released.
   */
  public static PlacementDecision placed(List<String> nodes, PlacementQuality quality, List<PinnedRank> create, Map<Pod, String> release,
                                         Instant recheckAt, Instant time) {
    return new PlacementDecision(Kind.PLACED, "GangPlaced", PlacementMessages.placed(nodes, quality), nodes, quality, List.of(),
        List.copyOf(create), release, List.of(), recheckAt, time);
  }

  /** A decision made earlier, still being carried out: the writes left to do and when to look again. */
  public static PlacementDecision carryingOut(List<PinnedRank> create, Map<Pod, String> release, Instant recheckAt, Instant time) {
    return new PlacementDecision(Kind.NONE, null, null, null, null, List.of(), List.copyOf(create), release, List.of(), recheckAt, time);
  }

  /** @param reason {@link BindDeadlines#BIND_TIMEOUT} or {@link BindDeadlines#STUCK_TERMINATING} */
  public static PlacementDecision expired(String reason, String message, List<AvoidedNode> avoid, List<Pod> delete, Instant time) {
    return expired(reason, message, avoid, delete, null, time);
  }

  /** Ended, and looked at again at {@code recheckAt} even if no pod event comes (null: only when one does). */
  public static PlacementDecision expired(String reason, String message, List<AvoidedNode> avoid, List<Pod> delete, Instant recheckAt,
                                          Instant time) {
    return new PlacementDecision(Kind.EXPIRED, reason, message, null, null, List.copyOf(avoid), List.of(), Map.of(), List.copyOf(delete),
        recheckAt, time);
  }

  /**
   * A gang no empty cluster could hold, or one blocked on what only a person changes ({@link GangPlacementStep#BLOCKED_REASONS}:
   * a PriorityClass or ClusterTopology that does not exist, its namespace's quotas): its missing ranks are not created, so
   * it holds no pods while it waits.
   */
  public boolean keepsRanksUncreated() {
    return kind == Kind.WAITING && (GangPlacementStep.UNSCHEDULABLE.equals(reason) || GangPlacementStep.blocked(reason));
  }

  /** The earlier of this decision's recheck time and {@code other} (either may be null). */
  public Instant earlierRecheck(Instant other) {
    return recheckAt == null || (other != null && other.isBefore(recheckAt)) ? other : recheckAt;
  }
}
