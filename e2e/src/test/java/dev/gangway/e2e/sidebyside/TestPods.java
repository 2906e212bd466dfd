package dev.gangway.e2e.sidebyside;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/** Pods, nodes and a topology small enough to reason about by hand, for the side-by-side tests. */
final class TestPods {
  static final String BLOCK = "network.topology.kubernetes.io/block";
  static final String RACK = "network.topology.kubernetes.io/rack";
  static final String CLIQUE = "nvidia.com/gpu.clique";
  static final String HOST = "kubernetes.io/hostname";

  private TestPods() {
  }

  /** Gangway's four levels; NVLink 900, the fabric 50. */
  static Topology topology() {
    return Topology.of(50, new Level(0, "block", BLOCK, 50), new Level(1, "rack", RACK, 50),
        new Level(2, "nvlink-domain", CLIQUE, 900), new Level(3, "host", HOST, 900));
  }

  /** {@code racks} racks of {@code perRack} 4-GPU nodes, one block, one NVLink clique per rack; node names n-R-I. */
  static List<Node> nodes(int racks, int perRack) {
    List<Node> out = new java.util.ArrayList<>();
    for (int r = 0; r < racks; r++) {
      for (int i = 0; i < perRack; i++) {
        String name = "n-" + r + "-" + i;
        out.add(new NodeBuilder().withNewMetadata().withName(name)
            .withLabels(Map.of(BLOCK, "b0", RACK, "rack-" + r, CLIQUE, "c." + r, HOST, name)).endMetadata()
            .withNewStatus().withAllocatable(Map.of("nvidia.com/gpu", new Quantity("4"), "cpu", new Quantity("100"),
                "memory", new Quantity("100Gi"))).addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
            .build());
      }
    }
    return out;
  }

  /** A rank pod of a stream job: Gangway's rank label when {@code gangway}, else an Indexed Job's completion index. */
  static Pod pod(String job, int rank, boolean gangway, String phase, String node, int gpus) {
    String rankLabel = gangway ? PodTimeline.GANGWAY_RANK : PodTimeline.JOB_INDEX;
    return new PodBuilder().withNewMetadata().withNamespace("ns").withName(job + "-" + rank)
        .withLabels(Map.of(JobManifests.JOB_LABEL, job, rankLabel, Integer.toString(rank))).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("trainer").withNewResources()
        .withLimits(Map.of("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))).endResources().endContainer().endSpec()
        .withNewStatus().withPhase(phase).endStatus().build();
  }
}
