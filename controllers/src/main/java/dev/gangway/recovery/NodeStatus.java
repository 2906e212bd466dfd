package dev.gangway.recovery;

import dev.gangway.pod.Timestamps;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.health.NodeHealthSignal;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.time.Instant;
import java.util.Optional;

/**
 * What is known of the node a failed rank ran on, when the failure is classified.
 *
 * @param since when the node entered its state: its Ready condition left True (NotReady), or the fatal health
 *     signal's time (Unhealthy); null when unknown or Ready
 * @param healthReason why the node is Unhealthy, e.g. "XID 79"
 */
public record NodeStatus(String name, State state, Instant since, String healthReason) {

  public enum State {
    Ready,
    /** Ready condition False or Unknown (the kubelet stopped reporting). */
    NotReady,
    /** The Node object is gone. */
    Deleted,
    /** A fatal health signal or Gangway's health taint: the hardware is bad whatever the kubelet says. */
    Unhealthy
  }

  public static NodeStatus ready(String name) {
    return new NodeStatus(name, State.Ready, null, null);
  }

  public static NodeStatus notReady(String name, Instant since) {
    return new NodeStatus(name, State.NotReady, since, null);
  }

  public static NodeStatus deleted(String name) {
    return new NodeStatus(name, State.Deleted, null, null);
  }

  public static NodeStatus unhealthy(String name, String reason) {
    return unhealthy(name, reason, null);
  }

  /** @param since when the fatal signal was raised; null when unknown (e.g. only Gangway's taint shows it) */
  public static NodeStatus unhealthy(String name, String reason, Instant since) {
    return new NodeStatus(name, State.Unhealthy, since, reason);
  }

  /** A rank that never got a node (still pending): nothing to say about hardware. */
  public static NodeStatus unknown() {
    return new NodeStatus(null, State.Ready, null, null);
  }

  /**
   * Reads a node as the informer cache shows it.
   *
   * @param node null when the Node object no longer exists
   * @param fatal the node's live fatal signal from {@link NodeHealthRegistry#fatalSignal}
   */
  public static NodeStatus observe(String name, Node node, Optional<NodeHealthSignal> fatal) {
    if (name == null) {
      return unknown();
    }
    if (fatal.isPresent()) {
      return unhealthy(name, fatal.get().reason(), fatal.get().time());
    }
    if (node == null) {
      return deleted(name);
    }
    if (node.getSpec() != null && node.getSpec().getTaints() != null
        && node.getSpec().getTaints().stream().anyMatch(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()))) {
      return unhealthy(name, "taint " + NodeHealthRegistry.TAINT_KEY);
    }
    Optional<NodeCondition> ready = node.getStatus() == null || node.getStatus().getConditions() == null ? Optional.empty()
        : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    if (ready.isEmpty() || "True".equals(ready.get().getStatus())) {
      return ready(name);
    }
    return notReady(name, Timestamps.parse(ready.get().getLastTransitionTime()));
  }
}
