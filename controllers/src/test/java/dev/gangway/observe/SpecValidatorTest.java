package dev.gangway.observe;

import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.CheckpointSpec;
import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TopologyLevel;
import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  private final TrainingJob job = TestJobs.job("llama", 2, 8);

  private static ClusterTopology topology(String name, String... levels) {
    ClusterTopology t = new ClusterTopology();
    t.setMetadata(new ObjectMetaBuilder().withName(name).build());
    for (String level : levels) {
      t.getSpec().getLevels().add(new TopologyLevel(level, "example.com/" + level, 50));
    }
    return t;
  }

  @Test
  void aPlainJobIsValid() {
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).isEmpty();
  }

  @Test
  void aResourceAmountThatIsNoQuantityNamesTheFieldAndIsReportedBeforeAnythingReadsIt() {
    job.getSpec().getTemplate().getSpec().getContainers().get(0)
        .setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("lots"))
            .addToLimits("nvidia.com/gpu", new Quantity("many")).build());
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).containsExactlyInAnyOrder(
        "spec.template.spec.containers[0].resources.requests.cpu 'lots' is not a quantity; write a number with an optional suffix, e.g. 500m, 4, 16Gi",
        "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu 'many' is not a quantity; write a number with an optional suffix, e.g. 500m, 4, 16Gi");
  }

  @Test
  void matchingGpuLimitIsAccepted() {
    job.getSpec().getTemplate().getSpec().getContainers().get(0)
        .setResources(new ResourceRequirementsBuilder().addToLimits("nvidia.com/gpu", new Quantity("8")).build());
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).isEmpty();
  }

  @Test
  void conflictingGpuLimitNamesTheFieldAndTheFix() {
    job.getSpec().getTemplate().getSpec().getContainers().get(0)
        .setResources(new ResourceRequirementsBuilder().addToLimits("nvidia.com/gpu", new Quantity("4")).build());
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).singleElement().asString()
        .contains("spec.template.spec.containers[0].resources.limits[nvidia.com/gpu] is 4 but spec.gpusPerReplica is 8");
  }

  @Test
  void sidecarOnTheRendezvousPortIsAClash() {
    job.getSpec().getTemplate().getSpec().getContainers().get(1).setPorts(List.of(new ContainerPortBuilder().withContainerPort(29500).build()));
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).singleElement().asString()
        .startsWith("spec.template.spec.containers[1].ports[0].containerPort is 29500").contains("'sidecar'");
  }

  @Test
  void mainContainerMayDeclareTheRendezvousPort() {
    job.getSpec().getTemplate().getSpec().getContainers().get(0).setPorts(List.of(new ContainerPortBuilder().withContainerPort(29500).build()));
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).isEmpty();
  }

  @Test
  void checkpointVolumeMustBeDeclared() {
    CheckpointSpec checkpoint = new CheckpointSpec();
    checkpoint.setVolumeName("scratch");
    job.getSpec().setCheckpoint(checkpoint);
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).singleElement().asString()
        .startsWith("spec.checkpoint.volumeName 'scratch' is not a volume");
  }

  @Test
  void unknownTopologyLevelListsTheKnownOnes() {
    TopologySpec topology = new TopologySpec();
    topology.setRequired("nvlink");
    job.getSpec().setTopology(topology);
    assertThat(SpecValidator.validate(job.getSpec(), List.of(topology("small", "rack", "nvlink-domain", "host"))))
        .containsExactly("spec.topology.required: level 'nvlink' is not defined in ClusterTopology 'small' "
            + "(levels: rack, nvlink-domain, host); use one of those names");
  }

  @Test
  void knownLevelOnTheDefaultTopologyIsValid() {
    TopologySpec topology = new TopologySpec();
    topology.setRequired("rack");
    topology.setGroupLevel("host");
    topology.setGroupSize(2);
    job.getSpec().setTopology(topology);
    assertThat(SpecValidator.validate(job.getSpec(), List.of(topology("other", "zone"), topology("default", "rack", "host")))).isEmpty();
  }

  @Test
  void levelsAreNotJudgedWhileNoClusterTopologyIsChosen() {
    // The job waits for the topology instead (ClusterViewTest): it may be applied after the job.
    TopologySpec topology = new TopologySpec();
    topology.setPreferred("rack");
    job.getSpec().setTopology(topology);
    assertThat(SpecValidator.validate(job.getSpec(), List.of())).isEmpty();
    topology.setTopologyName("later");
    assertThat(SpecValidator.validate(job.getSpec(), List.of(topology("default", "zone")))).isEmpty();
  }
}
