package dev.gangway.decide;

import dev.gangway.pod.Timestamps;
import dev.gangway.api.v1alpha1.AvoidedNode;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Nodes a job's placement avoids after its ranks did not bind there ({@code status.placement.avoidedNodes}).
 * Kept in the job's status so they survive an operator restart and a leader change. Pure.
 *
 * <p>A node is avoided for {@link #BIND_TIMEOUTS} bind timeouts (10 minutes by default), across
 * attempts: what kept the rank off it (a pod it must not share a node with, a volume bound to other
 * nodes, a missing device, a pod stuck on a lost node) usually outlasts a re-placement, so it must
 * outlast several; but it can clear, and avoiding a node for ever could lock a job out of a small
 * cluster. A new failure there renews it.
 */
public final class AvoidedNodes {
  static final int BIND_TIMEOUTS = 10;

  private AvoidedNodes() {
  }

  /** How long a node is avoided after a rank did not bind there. */
  static Duration avoidFor(Duration bindTimeout) {
    return bindTimeout.multipliedBy(BIND_TIMEOUTS);
  }

  /** The nodes the job's next placement must avoid at {@code now}. */
  public static Set<String> activeIn(TrainingJobStatus status, Instant now) {
    Set<String> nodes = new TreeSet<>();
    if (status != null && status.getPlacement() != null && status.getPlacement().getAvoidedNodes() != null) {
      status.getPlacement().getAvoidedNodes().stream().filter(a -> a.getNode() != null && until(a).isAfter(now))
          .forEach(a -> nodes.add(a.getNode()));
    }
    return nodes;
  }

  /**
   * The list after a placement step: entries past their time dropped, {@code added} ones in (one per
   * node, the newest wins), sorted by node; null when empty, so the field stays out of the status.
   */
  static List<AvoidedNode> next(List<AvoidedNode> previous, List<AvoidedNode> added, Instant now) {
    Map<String, AvoidedNode> byNode = new LinkedHashMap<>();
    if (previous != null) {
      previous.stream().filter(a -> a.getNode() != null && until(a).isAfter(now)).forEach(a -> byNode.put(a.getNode(), a));
    }
    added.forEach(a -> byNode.put(a.getNode(), a));
    if (byNode.isEmpty()) {
      return null;
    }
    List<AvoidedNode> next = new ArrayList<>(byNode.values());
    next.sort(Comparator.comparing(AvoidedNode::getNode));
    return next;
  }

  /** An entry whose time cannot be read is over: it must not keep a node from the job for ever. */
  private static Instant until(AvoidedNode a) {
    return Timestamps.parseOr(a.getUntil(), Instant.MIN);
  }
}
