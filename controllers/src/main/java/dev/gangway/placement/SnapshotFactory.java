package dev.gangway.placement;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ClusterSnapshot} from what the API server lists: nodes, and pods in all namespaces.
 * A pure function: the reconciler's informer caches feed it, and tests feed it plain objects.
 *
 * <p>Bound pods that have not terminated count as used on their node, as kube-scheduler counts them.
 * A gang's pods that Gangway has placed but kube-scheduler has not yet bound carry
 * {@link #RESERVED_NODE_ANNOTATION}; they count as a reservation of their job on that node, not as use.
 * Other unbound pods hold nothing.
 */
public final class SnapshotFactory {

  /** Node a gated rank pod was assigned to; written together with the node affinity that pins it there. */
  public static final String RESERVED_NODE_ANNOTATION = "gangway.dev/reserved-node";
  /** Label naming a rank pod's TrainingJob (same key as the job package's pod labels). */
  public static final String JOB_LABEL = "gangway.dev/job-name";

  private SnapshotFactory() {
  }

  public static ClusterSnapshot from(Topology topology, List<Node> nodes, List<Pod> pods) {
    return from(topology, nodes, pods, List.of());
  }

  /** As {@link #from(Topology, List, List)}, plus reservations of decisions the pods do not show yet. */
  public static ClusterSnapshot from(Topology topology, List<Node> nodes, List<Pod> pods, List<Reservation> extra) {
    Map<String, Resources> used = new HashMap<>();
    List<Reservation> reservations = new ArrayList<>(extra);
    for (Pod pod : pods) {
      if (terminated(pod)) continue;
      Resources req = RankResources.of(pod.getSpec());
      if (bound(pod)) {
        used.merge(pod.getSpec().getNodeName(), req, Resources::plus);
        continue;
      }
      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      String reserved = annotations == null ? null : annotations.get(RESERVED_NODE_ANNOTATION);
      if (reserved != null && !reserved.isEmpty()) reservations.add(new Reservation(jobKey(pod), reserved, req));
    }
    List<NodeState> states = new ArrayList<>(nodes.size());
    for (Node node : nodes) states.add(state(node, used.getOrDefault(node.getMetadata().getName(), Resources.NONE)));
    return new ClusterSnapshot(topology, states, reservations);
  }

  /** "namespace/job" of a rank pod, or "namespace/pod" for a pod without the job label. */
  public static String jobKey(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String job = labels == null ? null : labels.get(JOB_LABEL);
    return pod.getMetadata().getNamespace() + "/" + (job != null ? job : pod.getMetadata().getName());
  }

  /** "namespace/name" of a pod. */
  public static String podKey(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Whether kube-scheduler has bound the pod to a node. */
  public static boolean bound(Pod pod) {
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return nodeName != null && !nodeName.isEmpty();
  }

  static NodeState state(Node node, Resources used) {
    NodeState.Builder b = NodeState.builder(node.getMetadata().getName());
    if (node.getMetadata().getLabels() != null) b.labels(node.getMetadata().getLabels());
    if (node.getSpec() != null) {
      if (node.getSpec().getTaints() != null) node.getSpec().getTaints().forEach(b::taint);
      b.unschedulable(Boolean.TRUE.equals(node.getSpec().getUnschedulable()));
    }
    Map<String, Quantity> alloc = node.getStatus() == null || node.getStatus().getAllocatable() == null
        ? Map.of() : node.getStatus().getAllocatable();
    b.allocatable((int) amount(alloc.get(RankResources.GPU), 1), amount(alloc.get("cpu"), 1000), amount(alloc.get("memory"), 1));
    b.ready(ready(node));
    return b.used(used).build();
  }

  private static boolean terminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static boolean ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) return false;
    for (NodeCondition c : node.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
    }
    return false;
  }

  private static long amount(Quantity q, int scale) {
    if (q == null) return 0;
    // Allocatable rounds down: a fraction of a millicore is not schedulable.
    return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(scale)).setScale(0, RoundingMode.FLOOR).longValueExact();
  }
}
