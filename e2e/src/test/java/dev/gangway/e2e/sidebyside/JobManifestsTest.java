package dev.gangway.e2e.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobManifestsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final JobManifests manifests = new JobManifests(TestPods.topology());
  private final ReplayJob tp8 = new ReplayJob("j004", 3.5, 40, 4, 4, 2);
  private final ReplayJob dp = new ReplayJob("j005", 0, 12, 3, 4, 1);

  @Test
  void gangwayGetsTheGroupsAsLevelNamesAndEachRankItsRunTime() throws IOException {
    JsonNode tj = YAML.readTree(manifests.trainingJob(tp8, "bench-gangway"));
    assertThat(tj.at("/kind").asText()).isEqualTo("TrainingJob");
    assertThat(tj.at("/metadata/namespace").asText()).isEqualTo("bench-gangway");
    assertThat(tj.at("/spec/replicas").asInt()).isEqualTo(4);
    assertThat(tj.at("/spec/gpusPerReplica").asInt()).isEqualTo(4);
    assertThat(tj.at("/spec/topology/preferred").asText()).isEqualTo("rack");
    assertThat(tj.at("/spec/topology/groupSize").asInt()).isEqualTo(2);
    assertThat(tj.at("/spec/topology/groupLevel").asText()).isEqualTo("nvlink-domain");
    assertThat(tj.at("/spec/template/metadata/annotations/gangway.dev~1e2e-succeed-after").asText()).isEqualTo("40s");
    assertThat(tj.at("/spec/template/metadata/labels/bench.gangway.dev~1job").asText()).isEqualTo("j004");

    assertThat(YAML.readTree(manifests.trainingJob(dp, "bench-gangway")).at("/spec/topology/groupSize").isMissingNode()).isTrue();
    assertThat(tj.at("/spec/topology/waitForTighterSeconds").isMissingNode()).as("unset unless asked: the operator's default").isTrue();
  }

  @Test
  void gangwayMayBeAskedToHoldOutForTighterPlacements() throws IOException {
    JobManifests patient = new JobManifests(TestPods.topology(), 30);
    assertThat(YAML.readTree(patient.trainingJob(tp8, "bench-gangway")).at("/spec/topology/waitForTighterSeconds").asInt()).isEqualTo(30);
    assertThat(YAML.readTree(patient.trainingJob(dp, "bench-gangway")).at("/spec/topology/waitForTighterSeconds").asInt()).isEqualTo(30);
    JsonNode eager = YAML.readTree(new JobManifests(TestPods.topology(), 0).trainingJob(dp, "bench-gangway"));
    assertThat(eager.at("/spec/topology/waitForTighterSeconds").isInt()).as("0 written, not left to the default").isTrue();
    assertThat(eager.at("/spec/topology/waitForTighterSeconds").asInt()).isZero();
  }

  @Test
  void kueueGetsTheSameRequestAsNodeLabelsOnAQueuedSuspendedIndexedJob() throws IOException {
    JsonNode job = YAML.readTree(manifests.kueueJob(tp8, "bench-kueue"));
    assertThat(job.at("/metadata/labels/kueue.x-k8s.io~1queue-name").asText()).isEqualTo(JobManifests.LOCAL_QUEUE);
    assertThat(job.at("/spec/suspend").asBoolean()).isTrue();
    assertThat(job.at("/spec/completionMode").asText()).isEqualTo("Indexed");
    assertThat(job.at("/spec/completions").asInt()).isEqualTo(4);
    assertThat(job.at("/spec/parallelism").asInt()).isEqualTo(4);
    JsonNode annotations = job.at("/spec/template/metadata/annotations");
    assertThat(annotations.get("kueue.x-k8s.io/podset-preferred-topology").asText()).isEqualTo(TestPods.RACK);
    assertThat(annotations.get("kueue.x-k8s.io/podset-slice-required-topology").asText()).isEqualTo(TestPods.CLIQUE);
    assertThat(annotations.get("kueue.x-k8s.io/podset-slice-size").asText()).isEqualTo("2");
    assertThat(job.at("/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu").asText()).isEqualTo("4");
    assertThat(job.at("/spec/template/spec/containers/0/resources/requests/nvidia.com~1gpu").asText()).isEqualTo("4");

    JsonNode ungrouped = YAML.readTree(manifests.kueueJob(dp, "bench-kueue")).at("/spec/template/metadata/annotations");
    assertThat(ungrouped.has("kueue.x-k8s.io/podset-slice-required-topology")).isFalse();
    assertThat(ungrouped.has("kueue.x-k8s.io/podset-slice-size")).isFalse();
  }

  @Test
  void kubeSchedulerAloneGetsTheJobWithoutQueueTopologyOrSuspension() throws IOException {
    JsonNode job = YAML.readTree(manifests.plainJob(tp8, "bench-kube-scheduler"));
    assertThat(job.at("/metadata/labels").has("kueue.x-k8s.io/queue-name")).isFalse();
    assertThat(job.at("/spec/suspend").asBoolean()).isFalse();
    assertThat(job.at("/spec/template/metadata/annotations").size()).isEqualTo(1);
  }

  @Test
  void kueueTopologyHasGangwaysLevelsOutermostFirstHostnameLastAndTheQueueCoversTheCluster() throws IOException {
    List<JsonNode> docs = YAML.readerFor(JsonNode.class)
        .<JsonNode>readValues(manifests.kueueQueues("nvl72", "gangway.dev/e2e-cluster", "nvl72", 1152, "bench-kueue")).readAll();
    assertThat(docs).extracting(d -> d.get("kind").asText()).containsExactly("Topology", "ResourceFlavor", "ClusterQueue", "LocalQueue");
    assertThat(docs.get(0).at("/spec/levels").findValuesAsText("nodeLabel"))
        .containsExactly(TestPods.BLOCK, TestPods.RACK, TestPods.CLIQUE, TestPods.HOST);
    assertThat(docs.get(1).at("/spec/topologyName").asText()).isEqualTo("nvl72");
    assertThat(docs.get(1).at("/spec/nodeLabels/gangway.dev~1e2e-cluster").asText()).isEqualTo("nvl72");
    assertThat(docs.get(2).at("/spec/resourceGroups/0/flavors/0/resources/0/nominalQuota").asLong()).isEqualTo(1152);
    assertThat(docs.get(3).at("/metadata/namespace").asText()).isEqualTo("bench-kueue");
    assertThat(docs.get(3).at("/spec/clusterQueue").asText()).isEqualTo(JobManifests.CLUSTER_QUEUE);
  }
}
