package dev.gangway.act;

import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.recovery.NodeFlagChange;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps everyone's pods, not only Gangway's gangs, off a node Gangway found bad, as the platform
 * configured ({@link NodeMarking}): a NoSchedule taint {@code gangway.dev/unhealthy=<reason>},
 * and/or a cordon. Both are undone when the node is reported healthy again; a cordon only if
 * Gangway set it (the {@link NodeHealthRegistry#CORDONED_BY_GANGWAY} annotation), never one a person set. A node
 * flagged for repeated failures also carries the {@link NodeFlagChange#FLAGGED} label, whatever the marking: the
 * flag is kept there, not only in memory.
 */
public final class NodeMarker {
  private static final Logger LOG = LoggerFactory.getLogger(NodeMarker.class);

  private final NodeMarking marking;

  public NodeMarker(NodeMarking marking) {
    this.marking = marking;
  }

  /** Flags the node for repeated failures: the {@link NodeFlagChange#FLAGGED} label and, in the same write, the configured marks. */
  public void flag(KubernetesClient client, String node) {
    edit(client, node, n -> {
      labels(n).put(NodeFlagChange.FLAGGED, NodeFlagChange.REPEATED_FAILURES);
      addMarks(n, NodeFlagChange.REPEATED_FAILURES);
    });
  }

  public void mark(KubernetesClient client, String node, String reason) {
    update(client, node, n -> addMarks(n, reason));
  }

  private void addMarks(Node n, String reason) {
    List<Taint> taints = taints(n);
    if (marking.taint() && taints.stream().noneMatch(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()))) {
      taints.add(new TaintBuilder().withKey(NodeHealthRegistry.TAINT_KEY).withValue(labelValue(reason)).withEffect("NoSchedule").build());
      n.getSpec().setTaints(taints);
    }
    if (marking.cordon() && !Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
      n.getSpec().setUnschedulable(true);
      annotations(n).put(NodeHealthRegistry.CORDONED_BY_GANGWAY, labelValue(reason));
    }
  }

  /**
   * Lifts the flag: removes the {@link NodeFlagChange#FLAGGED} label and, with {@code marksToo}, the taint and cordon Gangway set for
   * {@link NodeFlagChange#REPEATED_FAILURES} (not a mark set for a health signal, and never a cordon Gangway did not set).
   */
  public void unflag(KubernetesClient client, String node, boolean marksToo) {
    edit(client, node, n -> {
      if (n.getMetadata().getLabels() != null) {
        n.getMetadata().getLabels().remove(NodeFlagChange.FLAGGED);
      }
      if (!marksToo) {
        return;
      }
      List<Taint> taints = taints(n);
      if (taints.removeIf(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()) && NodeFlagChange.REPEATED_FAILURES.equals(t.getValue()))) {
        n.getSpec().setTaints(taints);
      }
      if (NodeFlagChange.REPEATED_FAILURES.equals(annotations(n).get(NodeHealthRegistry.CORDONED_BY_GANGWAY))) {
        annotations(n).remove(NodeHealthRegistry.CORDONED_BY_GANGWAY);
        n.getSpec().setUnschedulable(null);
      }
    });
  }

  /** Undoes the flag and the marks Gangway set (a cordon only if Gangway set it). */
  public void unmark(KubernetesClient client, String node) {
    edit(client, node, n -> {
      if (n.getMetadata().getLabels() != null) {
        n.getMetadata().getLabels().remove(NodeFlagChange.FLAGGED);
      }
      if (marking.taint()) {
        List<Taint> taints = taints(n);
        taints.removeIf(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()));
        n.getSpec().setTaints(taints);
      }
      if (marking.cordon() && annotations(n).remove(NodeHealthRegistry.CORDONED_BY_GANGWAY) != null) {
        n.getSpec().setUnschedulable(null);
      }
    });
  }

  private void update(KubernetesClient client, String node, Consumer<Node> change) {
    if (marking.any()) {
      edit(client, node, change);
    }
  }

  private void edit(KubernetesClient client, String node, Consumer<Node> change) {
    try {
      client.nodes().withName(node).edit(n -> {
        if (n.getSpec() == null) {
          n.setSpec(new NodeSpec());
        }
        change.accept(n);
        return n;
      });
    } catch (KubernetesClientException e) {
      // Gangway still avoids the node itself; only what others see of it is missing.
      LOG.warn("Could not mark node {} ({}): {}", node, marking, e.getMessage());
    }
  }

  private static List<Taint> taints(Node node) {
    return node.getSpec().getTaints() == null ? new ArrayList<>() : new ArrayList<>(node.getSpec().getTaints());
  }

  private static Map<String, String> labels(Node node) {
    if (node.getMetadata().getLabels() == null) {
      node.getMetadata().setLabels(new HashMap<>());
    }
    return node.getMetadata().getLabels();
  }

  private static Map<String, String> annotations(Node node) {
    if (node.getMetadata().getAnnotations() == null) {
      node.getMetadata().setAnnotations(new HashMap<>());
    }
    return node.getMetadata().getAnnotations();
  }

  /** Taint and annotation values here are label values: 63 characters of [A-Za-z0-9_.-]. */
  static String labelValue(String reason) {
    String value = reason == null ? "unhealthy" : reason.replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    value = value.length() > 63 ? value.substring(0, 63).replaceAll("[^A-Za-z0-9]+$", "") : value;
    return value.isEmpty() ? "unhealthy" : value;
  }
}
