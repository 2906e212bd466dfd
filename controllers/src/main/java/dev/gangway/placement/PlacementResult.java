package dev.gangway.placement;

import java.util.List;
import java.util.Map;

/**
 * One decision: a node for every rank (index = rank) with its quality, or why the gang does not fit
 * now, in words a person can act on, with the nodes left out counted by reason.
 *
 * @param reason short CamelCase cause for a condition's reason field; null when placed
 * @param message the detail for a condition's message; null when placed
 * @param unavailableNodes nodes that cannot host any rank, counted by the first filter they fail
 */
public record PlacementResult(List<String> nodes, PlacementQuality quality, String reason, String message,
    Map<String, Integer> unavailableNodes) {

  /** The request names unknown levels or is inconsistent; waiting will not help. */
  public static final String INVALID_REQUEST = "InvalidRequest";
  /** No node passes the filters at all (taints, selectors, health, resources). */
  public static final String NO_NODE_AVAILABLE = "NoNodeAvailable";
  /** Enough nodes pass, but together they have room for fewer ranks (or groups) than the gang needs. */
  public static final String INSUFFICIENT_CAPACITY = "InsufficientCapacity";
  /** There is room in the cluster, but no single domain of the required level holds the gang. */
  public static final String REQUIRED_LEVEL_TOO_SMALL = "RequiredLevelTooSmall";
  /**
   * It fits now, but spans more domains than it could once the cluster frees up, and its spec.topology.waitForTighterSeconds
   * is not over: it holds out ({@link TighterPlacement}).
   */
  public static final String WAITING_FOR_TIGHTER_PLACEMENT = "WaitingForTighterPlacement";

  public PlacementResult {
    nodes = nodes == null ? null : List.copyOf(nodes);
    unavailableNodes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(unavailableNodes));
  }

  static PlacementResult placed(List<String> nodes, PlacementQuality quality, Map<String, Integer> unavailable) {
    return new PlacementResult(nodes, quality, null, null, unavailable);
  }

  static PlacementResult doesNotFit(String reason, String message, Map<String, Integer> unavailable) {
    return new PlacementResult(null, null, reason, message, unavailable);
  }

  public boolean placed() {
    return nodes != null;
  }

  /** Node of a rank; only when {@link #placed()}. */
  public String nodeOf(int rank) {
    return nodes.get(rank);
  }
}
