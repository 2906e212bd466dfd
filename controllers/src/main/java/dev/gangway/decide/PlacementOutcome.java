package dev.gangway.decide;

import dev.gangway.placement.PlacementQuality;
import java.util.List;

/**
 * What the placement step did this reconcile, for the status machine.
 *
 * @param nodes node per rank when {@link Kind#PLACED}
 */
public record PlacementOutcome(Kind kind, String reason, String message, List<String> nodes, PlacementQuality quality) {

  public enum Kind {
    /** Nothing to decide: ranks are still being created, or the gang is placed already. */
    NONE,
    /** The gang cannot be placed now; reason and message say why. */
    WAITING,
    /** The gang was just assigned to nodes. */
    PLACED,
    /** Assigned ranks did not bind in time; the attempt's pods were released to be placed again. */
    EXPIRED
  }

  public static final PlacementOutcome NONE = new PlacementOutcome(Kind.NONE, null, null, null, null);

  public static PlacementOutcome waiting(String reason, String message) {
    return new PlacementOutcome(Kind.WAITING, reason, message, null, null);
  }

  public static PlacementOutcome placed(List<String> nodes, PlacementQuality quality) {
    return new PlacementOutcome(Kind.PLACED, "GangPlaced", PlacementMessages.placed(nodes, quality), nodes, quality);
  }

  public static PlacementOutcome expired(String message) {
    return new PlacementOutcome(Kind.EXPIRED, "BindTimeout", message, null, null);
  }
}
