package dev.gangway.act;

import dev.gangway.health.NodeHealthRegistry;
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
 * Gangway set it (the {@link #CORDONED_BY_GANGWAY} annotation), never one a person set.
 */
public final class NodeMarker {
  /** On a node Gangway cordoned; its value is the reason. */
  public static final String CORDONED_BY_GANGWAY = "gangway.dev/cordoned";
  private static final Logger LOG = LoggerFactory.getLogger(NodeMarker.class);

  private final NodeMarking marking;

  public NodeMarker(NodeMarking marking) {
    this.marking = marking;
  }

  public void mark(KubernetesClient client, String node, String reason) {
    update(client, node, n -> {
      List<Taint> taints = taints(n);
      if (marking.taint() && taints.stream().noneMatch(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()))) {
        taints.add(new TaintBuilder().withKey(NodeHealthRegistry.TAINT_KEY).withValue(labelValue(reason)).withEffect("NoSchedule").build());
        n.getSpec().setTaints(taints);
      }
      if (marking.cordon() && !Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
        n.getSpec().setUnschedulable(true);
        annotations(n).put(CORDONED_BY_GANGWAY, labelValue(reason));
      }
    });
  }

  public void unmark(KubernetesClient client, String node) {
    update(client, node, n -> {
      if (marking.taint()) {
        List<Taint> taints = taints(n);
        taints.removeIf(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()));
        n.getSpec().setTaints(taints);
      }
      if (marking.cordon() && annotations(n).remove(CORDONED_BY_GANGWAY) != null) {
        n.getSpec().setUnschedulable(null);
      }
    });
  }

  private void update(KubernetesClient client, String node, Consumer<Node> change) {
    if (!marking.any()) {
      return;
    }
    try {
      client.nodes().withName(node).edit(n -> {
        if (n.getSpec() == null) {
          n.setSpec(new NodeSpec());
        }
        change.accept(n);
        return n;
      });
    } catch (KubernetesClientException e) {
      // Without the node permission (chart nodeHealth.taintNodes/cordonNodes false) Gangway still avoids the node itself.
      LOG.warn("Could not mark node {} ({}): {}", node, marking, e.getMessage());
    }
  }

  private static List<Taint> taints(Node node) {
    return node.getSpec().getTaints() == null ? new ArrayList<>() : new ArrayList<>(node.getSpec().getTaints());
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
