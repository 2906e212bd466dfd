package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Which clusters given by kubeconfig count as the small GPU cluster the GPU tests need (no cluster needed). */
class ExternalClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void sixteenLabelledNodesWithEightGpusEachAreTheSmallCluster() {
    assertThat(ExternalCluster.showsSmallGpuCluster(nodes(16, 8, true))).isTrue();
  }

  @Test
  void fewerNodesFewerGpusOrNoTopologyLabelsAreNot() {
    assertThat(ExternalCluster.showsSmallGpuCluster(nodes(15, 8, true))).as("15 nodes").isFalse();
    assertThat(ExternalCluster.showsSmallGpuCluster(nodes(16, 4, true))).as("4 GPUs each").isFalse();
    assertThat(ExternalCluster.showsSmallGpuCluster(nodes(16, 8, false))).as("no topology labels").isFalse();
    assertThat(ExternalCluster.showsSmallGpuCluster(JSON.createObjectNode())).as("no nodes").isFalse();
  }

  /** A node list as `kubectl get nodes -o json` prints it. */
  private static JsonNode nodes(int count, int gpus, boolean topologyLabels) {
    ObjectNode list = JSON.createObjectNode();
    ArrayNode items = list.putArray("items");
    for (int i = 0; i < count; i++) {
      ObjectNode node = items.addObject();
      ObjectNode labels = node.putObject("metadata").putObject("labels");
      labels.put(ExternalCluster.NODEGEN_LABEL, "small");
      if (topologyLabels) {
        labels.put("network.topology.kubernetes.io/rack", "rack-" + i / 8);
        labels.put("nvidia.com/gpu.clique", "uuid." + i / 4);
      }
      node.putObject("status").putObject("allocatable").put("nvidia.com/gpu", Integer.toString(gpus));
    }
    return list;
  }
}
