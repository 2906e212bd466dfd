package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotFactoryTest {

  static Node node(String name, String ready, boolean unschedulable) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name)
        .addToLabels(Clusters.RACK, "r1").endMetadata()
        .withNewSpec().withUnschedulable(unschedulable).addNewTaint().withKey("gpu").withValue("bad").withEffect("NoSchedule")
        .endTaint().endSpec()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("64"))
        .addToAllocatable("memory", new Quantity("512Gi")).addNewCondition().withType("Ready").withStatus(ready).endCondition()
        .endStatus().build();
  }

  static Pod pod(String name, String job, String nodeName, String phase, String reservedNode, String gpus, String cpu) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata();
    if (job != null) b.editMetadata().addToLabels(SnapshotFactory.JOB_LABEL, job).endMetadata();
    if (reservedNode != null) b.editMetadata().addToAnnotations(SnapshotFactory.RESERVED_NODE_ANNOTATION, reservedNode).endMetadata();
    return b.withNewSpec().withNodeName(nodeName).addToContainers(new ContainerBuilder().withName("main")
            .withResources(new ResourceRequirementsBuilder().addToLimits("nvidia.com/gpu", new Quantity(gpus))
                .addToRequests("cpu", new Quantity(cpu)).build()).build()).endSpec()
        .withNewStatus().withPhase(phase).endStatus().build();
  }

  @Test
  void nodesKeepLabelsTaintsHealthAndAllocatable() {
    ClusterSnapshot s = SnapshotFactory.from(Clusters.THREE_LEVELS, List.of(node("n1", "True", false), node("n2", "False", true)),
        List.of());

    NodeState n1 = s.node(0);
    assertThat(n1.labels()).containsEntry(Clusters.RACK, "r1");
    assertThat(n1.taints()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("gpu"));
    assertThat(n1.allocatable()).isEqualTo(new Resources(8, 64_000, 512L << 30));
    assertThat(n1.ready()).isTrue();
    assertThat(n1.unschedulable()).isFalse();
    assertThat(s.node(1).ready()).isFalse();
    assertThat(s.node(1).unschedulable()).isTrue();
  }

  @Test
  void boundPodsThatHaveNotTerminatedCountAsUsed() {
    List<Pod> pods = List.of(
        pod("running", "a", "n1", "Running", null, "4", "2"),
        pod("pending-bound", "b", "n1", "Pending", null, "2", "500m"),
        pod("done", "c", "n1", "Succeeded", null, "8", "1"),
        pod("failed", "c", "n1", "Failed", null, "8", "1"));

    ClusterSnapshot s = SnapshotFactory.from(Clusters.THREE_LEVELS, List.of(node("n1", "True", false)), pods);

    assertThat(s.node(0).used()).isEqualTo(new Resources(6, 2_500, 0));
    assertThat(s.freeFor("ns/x", 0)).isEqualTo(new Resources(2, 61_500, 512L << 30));
  }

  @Test
  void unboundPodsWithAReservationHoldTheirNodeForEveryOtherJob() {
    List<Pod> pods = List.of(
        pod("gated-0", "train", null, "Pending", "n1", "8", "1"),
        pod("stray", "other", null, "Pending", null, "8", "1"));

    ClusterSnapshot s = SnapshotFactory.from(Clusters.THREE_LEVELS, List.of(node("n1", "True", false)), pods);

    assertThat(s.node(0).used()).isEqualTo(Resources.NONE);
    assertThat(s.reservations()).containsExactly(new Reservation("ns/train", "n1", new Resources(8, 1000, 0)));
    assertThat(s.freeFor("ns/other", 0).gpus()).isZero();
    assertThat(s.freeFor("ns/train", 0).gpus()).isEqualTo(8);
    assertThat(s.tree().freeGpusOf(s.tree().root().id())).isZero();
  }

  @Test
  void aPodsRequestIsItsContainersOrItsLargestInitContainer() {
    Pod p = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata().withNewSpec()
        .addToContainers(container("1", "1Gi"), container("2", "1Gi"))
        .addToInitContainers(container("4", "512Mi"))
        .addToOverhead("cpu", new Quantity("250m"))
        .endSpec().build();

    assertThat(RankResources.of(p.getSpec())).isEqualTo(new Resources(0, 4_250, 2L << 30));
  }

  @Test
  void aSidecarAddsToTheContainersAndToEachInitContainerStartedAfterIt() {
    io.fabric8.kubernetes.api.model.Container sidecar = new ContainerBuilder(container("1", "1Gi")).withName("proxy").withRestartPolicy("Always").build();
    Pod p = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata().withNewSpec()
        .addToContainers(container("2", "1Gi"))
        .addToInitContainers(container("2", "4Gi"), sidecar, container("3", "512Mi"))
        .endSpec().build();
    // Running: the app container and the sidecar, 3 CPU and 2Gi. Starting: the first init container alone (4Gi), then
    // the last one beside the sidecar (4 CPU): the pod needs 4 CPU and 4Gi.
    assertThat(RankResources.of(p.getSpec())).isEqualTo(new Resources(0, 4_000, 4L << 30));
  }

  @Test
  void cpuOrMemorySetAtPodLevelIsThePodsRequest() {
    Pod p = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata().withNewSpec()
        .addToContainers(container("1", "1Gi"), container("2", "1Gi"))
        .withNewResources().addToRequests("cpu", new Quantity("8")).endResources()
        .addToOverhead("cpu", new Quantity("250m"))
        .endSpec().build();
    // CPU from the pod level (plus overhead); memory still the containers' sum, the pod level leaving it unset.
    assertThat(RankResources.of(p.getSpec())).isEqualTo(new Resources(0, 8_250, 2L << 30));
  }

  static io.fabric8.kubernetes.api.model.Container container(String cpu, String memory) {
    return new ContainerBuilder().withName("c" + cpu).withResources(new ResourceRequirementsBuilder()
        .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))).build()).build();
  }

  @Test
  void theResultFeedsTheEngine() {
    ClusterSnapshot s = SnapshotFactory.from(Clusters.THREE_LEVELS,
        List.of(node("n1", "True", false), node("n2", "True", false)),
        List.of(pod("busy", "a", "n1", "Running", null, "8", "1")));
    GangRequest req = GangRequest.builder("ns/job").replicas(1).gpusPerRank(8).toleration(
        new io.fabric8.kubernetes.api.model.TolerationBuilder().withKey("gpu").withOperator("Exists").build()).build();

    assertThat(new PlacementEngine().place(s, req).nodes()).containsExactly("n2");
  }
}
