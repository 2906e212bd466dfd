package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.pod.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The nodes a job keeps off after failures there that were the node's ({@code status.nodeExclusions},
 * names in {@code status.excludedNodes}). Each lasts spec.failurePolicy.nodeExclusionSeconds: a node
 * is repaired or replaced, and a job excluding nodes for ever runs out of them. Kept in the job's
 * status so they survive an operator restart and a leader change. Pure.
 *
 * <p>A name in {@code status.excludedNodes} without an entry (written before exclusions had an end)
 * is over: it has no time to end at, and a node still NotReady or unhealthy is kept off by placement anyway.
 */
public final class NodeExclusions {

  private NodeExclusions() {
  }

  /** The nodes the job's placement must keep off at {@code now}. */
  public static Set<String> activeIn(TrainingJobStatus status, Instant now) {
    Set<String> nodes = new TreeSet<>();
    active(status == null ? null : status.getNodeExclusions(), now).forEach(e -> nodes.add(e.getNode()));
    return nodes;
  }

  /** The entries not over at {@code now}, in their order. */
  public static List<NodeExclusion> active(List<NodeExclusion> exclusions, Instant now) {
    return exclusions == null ? List.of()
        : exclusions.stream().filter(e -> e.getNode() != null && until(e).isAfter(now)).toList();
  }

  /** The entries still on at {@code now} and {@code added} (which renews an entry for its node), sorted by node. */
  static List<NodeExclusion> with(List<NodeExclusion> previous, NodeExclusion added, Instant now) {
    Map<String, NodeExclusion> byNode = new LinkedHashMap<>();
    active(previous, now).forEach(e -> byNode.put(e.getNode(), e));
    byNode.put(added.getNode(), added);
    List<NodeExclusion> next = new ArrayList<>(byNode.values());
    next.sort(Comparator.comparing(NodeExclusion::getNode));
    return List.copyOf(next);
  }

  /** Writes {@code exclusions} and their names into the status; both fields stay out of it when there are none. */
  static void writeTo(TrainingJobStatus status, List<NodeExclusion> exclusions) {
    status.setNodeExclusions(exclusions.isEmpty() ? null : new ArrayList<>(exclusions));
    status.setExcludedNodes(exclusions.isEmpty() ? null : new ArrayList<>(exclusions.stream().map(NodeExclusion::getNode).toList()));
  }

  /**
   * Drops the entries over at {@code now} (and names left without an entry) from the status.
   *
   * @return whether anything was dropped
   */
  public static boolean dropEnded(TrainingJobStatus status, Instant now) {
    List<NodeExclusion> stored = status.getNodeExclusions() == null ? List.of() : status.getNodeExclusions();
    List<NodeExclusion> kept = active(stored, now);
    List<String> names = kept.stream().map(NodeExclusion::getNode).toList();
    List<String> storedNames = status.getExcludedNodes() == null ? List.of() : status.getExcludedNodes();
    if (kept.size() == stored.size() && names.equals(storedNames)) {
      return false;
    }
    writeTo(status, kept);
    return true;
  }

  /** When the first exclusion of the status ends; null when there is none. */
  public static Instant firstEnd(TrainingJobStatus status) {
    return status == null ? null : firstEnd(status.getNodeExclusions());
  }

  /** When the first of {@code exclusions} ends; null when there is none. */
  public static Instant firstEnd(List<NodeExclusion> exclusions) {
    return exclusions == null ? null : exclusions.stream().filter(e -> e.getNode() != null).map(NodeExclusions::until)
        .filter(t -> !Instant.MIN.equals(t)).min(Comparator.naturalOrder()).orElse(null);
  }

  /** An entry whose time cannot be read is over: it must not keep a node from the job for ever. */
  static Instant until(NodeExclusion e) {
    return Timestamps.parseOr(e.getUntil(), Instant.MIN);
  }
}
