package dev.gangway.recovery;

import dev.gangway.health.NodeHealthRegistry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;
import java.util.Map;

/**
 * What a node's latest state means for the flag {@link BadNodeTracker} keeps on it, read from the node as every
 * replica's informer sees it. The flag is kept on the node ({@link #FLAGGED}), so a restarted operator or a
 * new leader restores it; a person lifts it by removing that label, or by uncordoning a node Gangway cordoned for it
 * ({@code kubectl uncordon}), as they would any cordon. Pure: no I/O.
 */
public enum NodeFlagChange {
  /** Nothing changed for the flag. */
  NONE,
  /** The label appeared (or was there at start): the node is flagged. */
  RESTORE,
  /** The label went away and no mark of the flag is left: the flag is lifted. */
  LIFT,
  /** The flag is lifted, and the leader removes what is left of it on the node (label, taint, Gangway's cordon annotation). */
  LIFT_AND_UNFLAG;

  /**
   * On a node Gangway flagged as bad across jobs: every replica restores the flag from it, and removing it
   * ({@code kubectl label node <node> gangway.dev/flagged-}) lifts the flag.
   */
  public static final String FLAGGED = "gangway.dev/flagged";
  /** The reason of a flag for failures of several jobs on one node: the label's value, and the taint's or cordon's. */
  public static final String REPEATED_FAILURES = "RepeatedFailures";

  /**
   * @param wasLabelled whether this replica saw the label on the node's previous state (false for a node not seen yet)
   */
  public static NodeFlagChange of(boolean wasLabelled, Node now) {
    boolean labelled = map(now.getMetadata().getLabels()).containsKey(FLAGGED);
    boolean marked = cordonedForFlag(now) || taintedForFlag(now);
    if (labelled && cordonedForFlag(now) && !Boolean.TRUE.equals(now.getSpec() == null ? null : now.getSpec().getUnschedulable())) {
      // Gangway cordons and labels in one write and uncordons only with the label gone: someone else uncordoned it.
      return LIFT_AND_UNFLAG;
    }
    if (labelled) {
      return wasLabelled ? NONE : RESTORE;
    }
    if (wasLabelled) {
      return marked ? LIFT_AND_UNFLAG : LIFT;
    }
    return NONE;
  }

  private static boolean cordonedForFlag(Node node) {
    return REPEATED_FAILURES.equals(map(node.getMetadata().getAnnotations()).get(NodeHealthRegistry.CORDONED_BY_GANGWAY));
  }

  private static boolean taintedForFlag(Node node) {
    List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    return taints.stream().anyMatch(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey())
        && REPEATED_FAILURES.equals(t.getValue()));
  }

  private static Map<String, String> map(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
