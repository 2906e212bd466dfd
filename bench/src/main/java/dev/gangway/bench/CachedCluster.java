package dev.gangway.bench;

import dev.gangway.placement.RankResources;
import dev.gangway.placement.SnapshotFactory;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A shape's nodes and pods as the operator's informers hold them (Fabric8 objects), for the decision-path benchmarks:
 * the nodes with block, rack and host labels, 8 GPUs, Ready; half the GPUs used by bound pods of 1, 2, 4 or 8 GPUs at
 * random nodes, the rest of the pod count CPU-only pods (daemon sets, services), bound; 2 % of the pods terminated,
 * 1 % placed and gated (reserved-node annotation); and a gang of {@code ranks} × 8 GPUs, created and gated.
 */
record CachedCluster(Shapes.Shape shape, List<Node> nodes, List<Pod> pods, List<Pod> rankPods) {

  static CachedCluster of(Shapes.Shape s, int podCount, int ranks, long seed) {
    Random random = new Random(seed);
    List<Node> nodes = new ArrayList<>(s.nodes());
    for (int i = 0; i < s.nodes(); i++) {
      nodes.add(node(s.names().get(i), s.slots().get(i)));
    }
    List<Pod> pods = new ArrayList<>(podCount);
    int[] free = new int[s.nodes()];
    Arrays.fill(free, Shapes.GPUS_PER_NODE);
    long gpusToUse = (long) s.nodes() * Shapes.GPUS_PER_NODE / 2;
    int[] sizes = {1, 2, 4, 8};
    for (int n = 0; n < podCount - ranks; n++) {
      int node = random.nextInt(s.nodes());
      int gpus = 0;
      if (gpusToUse > 0) {
        gpus = Math.min(sizes[random.nextInt(sizes.length)], free[node]);
        free[node] -= gpus;
        gpusToUse -= gpus;
      }
      int roll = random.nextInt(100);
      boolean gated = roll == 2;
      pods.add(pod("ns" + (n % 50), "p" + n, "job" + (n / 4), gated ? null : s.names().get(node), gated ? s.names().get(node) : null,
          gpus, roll < 2 ? "Succeeded" : "Running"));
    }
    List<Pod> rankPods = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      Pod rank = pod("bench", "gang-r" + r, "gang", null, null, 8, "Pending");
      rankPods.add(rank);
      pods.add(rank);
    }
    return new CachedCluster(s, nodes, pods, rankPods);
  }

  /** The gang's pod keys ("namespace/name") in rank order: what {@code GangPlacer.place} decides for. */
  List<String> rankPodKeys() {
    return rankPods.stream().map(SnapshotFactory::podKey).toList();
  }

  static Node node(String name, Shapes.Slot slot) {
    return new NodeBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of(Shapes.BLOCK, slot.block(), Shapes.RACK, slot.rack(), Shapes.HOST, name)).endMetadata()
        .withNewSpec().endSpec()
        .withNewStatus().addToAllocatable(RankResources.GPU, new Quantity("8")).addToAllocatable("cpu", new Quantity("96"))
        .addToAllocatable("memory", new Quantity("1Ti")).addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build();
  }

  static Pod pod(String namespace, String name, String job, String node, String reserved, int gpus, String phase) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(namespace + "-" + name)
        .addToLabels(SnapshotFactory.JOB_LABEL, job).endMetadata();
    if (reserved != null) {
      b.editMetadata().addToAnnotations(SnapshotFactory.RESERVED_NODE_ANNOTATION, reserved).endMetadata();
    }
    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("500m"))
        .addToRequests("memory", new Quantity("2Gi"));
    if (gpus > 0) {
      resources.addToLimits(RankResources.GPU, new Quantity(Integer.toString(gpus)));
    }
    return b.withNewSpec().withNodeName(node).addToContainers(new ContainerBuilder().withName("main").withResources(resources.build())
        .build()).endSpec().withNewStatus().withPhase(phase).endStatus().build();
  }
}
