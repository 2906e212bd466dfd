package dev.gangway.decide;

import dev.gangway.api.v1alpha1.AvoidedNode;
import dev.gangway.placement.PlacementQuality;
import java.util.List;

/**
 * What the placement step did this reconcile, for the status machine.
 *
 * @param nodes node per rank when {@link Kind#PLACED}
 * @param avoid nodes the job's placement avoids from now on, when {@link Kind#EXPIRED}; otherwise empty
 */
public record PlacementOutcome(Kind kind, String reason, String message, List<String> nodes, PlacementQuality quality,
                               List<AvoidedNode> avoid) {

  public enum Kind {
    /** Nothing to decide: ranks are still being created, or the gang is placed already. */
    NONE,
    /** The gang cannot be placed now; reason and message say why. */
    WAITING,
    /** The gang was just assigned to nodes. */
    PLACED,
    /** Assigned ranks did not bind in time (or waited on a pod stuck terminating); the attempt's pods are deleted to be placed again. */
    EXPIRED
  }

  public static final PlacementOutcome NONE = new PlacementOutcome(Kind.NONE, null, null, null, null, List.of());

  public static PlacementOutcome waiting(String reason, String message) {
    return new PlacementOutcome(Kind.WAITING, reason, message, null, null, List.of());
  }

  public static PlacementOutcome placed(List<String> nodes, PlacementQuality quality) {
    return new PlacementOutcome(Kind.PLACED, "GangPlaced", PlacementMessages.placed(nodes, quality), nodes, quality, List.of());
  }

  /** @param reason {@link BindDeadlines#BIND_TIMEOUT} or {@link BindDeadlines#STUCK_TERMINATING} */
  public static PlacementOutcome expired(String reason, String message, List<AvoidedNode> avoid) {
    return new PlacementOutcome(Kind.EXPIRED, reason, message, null, null, List.copyOf(avoid));
  }
}
