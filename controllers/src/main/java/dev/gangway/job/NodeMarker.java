package dev.gangway.job;

import dev.gangway.health.NodeHealthRegistry;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps everyone's pods, not only Gangway's gangs, off a node Gangway found bad: a NoSchedule taint
 * {@code gangway.dev/unhealthy=<reason>}, removed when the node reports healthy again. Only when the
 * platform enabled it (gangway.node-health.taint-nodes, Helm value nodeHealth.taintNodes).
 */
final class NodeTainter {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTainter.class);

  private NodeTainter() {
  }

  static void taint(KubernetesClient client, String node, String reason) {
    update(client, node, taints -> {
      if (taints.stream().noneMatch(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey()))) {
        taints.add(new TaintBuilder().withKey(NodeHealthRegistry.TAINT_KEY).withValue(labelValue(reason)).withEffect("NoSchedule").build());
      }
    });
  }

  static void untaint(KubernetesClient client, String node) {
    update(client, node, taints -> taints.removeIf(t -> NodeHealthRegistry.TAINT_KEY.equals(t.getKey())));
  }

  private static void update(KubernetesClient client, String node, java.util.function.Consumer<List<Taint>> change) {
    try {
      client.nodes().withName(node).edit(n -> {
        if (n.getSpec() == null) {
          n.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
        }
        List<Taint> taints = n.getSpec().getTaints() == null ? new ArrayList<>() : new ArrayList<>(n.getSpec().getTaints());
        change.accept(taints);
        n.getSpec().setTaints(taints);
        return n;
      });
    } catch (KubernetesClientException e) {
      // Without the node permission (nodeHealth.taintNodes=false in the chart) Gangway still avoids the node itself.
      LOG.warn("Could not update the {} taint on node {}: {}", NodeHealthRegistry.TAINT_KEY, node, e.getMessage());
    }
  }

  /** Taint values must be label values: 63 characters of [A-Za-z0-9_.-]. */
  static String labelValue(String reason) {
    String value = reason == null ? "unhealthy" : reason.replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    value = value.length() > 63 ? value.substring(0, 63).replaceAll("[^A-Za-z0-9]+$", "") : value;
    return value.isEmpty() ? "unhealthy" : value;
  }
}
