package dev.gangway.job;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.util.Objects;

/** Which node updates can change a gang's fate: readiness and taints, not the kubelet's heartbeats. */
final class NodeChanges {

  private NodeChanges() {
  }

  static boolean matterToGangs(Node now, Node before) {
    return !Objects.equals(ready(now), ready(before)) || !Objects.equals(now.getSpec().getTaints(), before.getSpec().getTaints())
        || !Objects.equals(now.getSpec().getUnschedulable(), before.getSpec().getUnschedulable());
  }

  private static String ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return null;
    }
    return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(NodeCondition::getStatus)
        .findFirst().orElse(null);
  }
}
