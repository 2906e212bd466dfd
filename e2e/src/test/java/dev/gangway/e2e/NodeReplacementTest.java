package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class NodeReplacementTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void keepsWhatMakesTheNodeTheSameMachineAndDropsWhatTheServerOrTheAgentSets() throws Exception {
    ObjectNode saved = (ObjectNode) JSON.readTree("""
        {"apiVersion":"v1","kind":"Node",
         "metadata":{"name":"gpu-7","uid":"u","resourceVersion":"42","creationTimestamp":"2026-12-06T00:00:00Z",
                     "managedFields":[{}],"labels":{"gangway.dev/rack":"r1"},"annotations":{"kwok.x-k8s.io/node":"fake"}},
         "spec":{"taints":[{"key":"k","effect":"NoSchedule"}]},
         "status":{"capacity":{"nvidia.com/gpu":"8"},"allocatable":{"nvidia.com/gpu":"8"},"conditions":[{"type":"Ready"}],
                   "nodeInfo":{"kubeletVersion":"fake"},"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}}}}""");

    JsonNode manifest = JSON.readTree(NodeReplacement.manifest(saved));

    assertThat(manifest.path("metadata").fieldNames()).toIterable().containsExactlyInAnyOrder("name", "labels", "annotations");
    assertThat(manifest.path("metadata").path("labels").path("gangway.dev/rack").asText()).isEqualTo("r1");
    assertThat(manifest.path("spec")).isEqualTo(saved.path("spec"));
    assertThat(manifest.path("status").fieldNames()).toIterable().containsExactlyInAnyOrder("capacity", "allocatable");
    assertThat(manifest.path("status").path("capacity").path("nvidia.com/gpu").asText()).isEqualTo("8");
  }
}
