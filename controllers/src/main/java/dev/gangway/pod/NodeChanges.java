package dev.gangway.pod;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSpec;
import java.util.Objects;

/** Which node updates can change a gang's fate: readiness and taints, not the kubelet's heartbeats. */
public final class NodeChanges {

  private NodeChanges() {
  }

  public static boolean matterToGangs(Node now, Node before) {
    return !Objects.equals(ready(now), ready(before)) || !Objects.equals(spec(now).getTaints(), spec(before).getTaints())
        || !Objects.equals(spec(now).getUnschedulable(), spec(before).getUnschedulable());
  }

  /** A node object may come without a spec (the API allows it); read it as an empty one. */
  private static NodeSpec spec(Node node) {
    return node.getSpec() == null ? new NodeSpec() : node.getSpec();
  }

  private static String ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return null;
    }
    return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(NodeCondition::getStatus)
        .findFirst().orElse(null);
  }
}
