package dev.gangway.act;

import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.CheckpointSpec;
import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

public class RankPodBuilderTest {

  @Test
  void withInPlaceRestartsRankHostnamesArePaddedSoTheirStringOrderIsRankOrder() {
    TrainingJob job = TestJobs.job("llama", 12, 8);
    job.getSpec().setFailurePolicy(new dev.gangway.api.v1alpha1.FailurePolicy());
    job.getSpec().getFailurePolicy().setInPlaceRestarts(1);
    List<String> hostnames = new ArrayList<>();
    for (int rank = 0; rank < 12; rank++) {
      hostnames.add(RankPodBuilder.build(job, rank, 1, null).getSpec().getHostname());
    }
    assertThat(hostnames).startsWith("llama-00", "llama-01").endsWith("llama-10", "llama-11").isSorted();
    // Ten ranks or fewer need no padding: the names are what they are without in-place restarts.
    job.getSpec().setReplicas(10);
    assertThat(RankPodBuilder.build(job, 9, 1, null).getSpec().getHostname()).isEqualTo("llama-9");
    job.getSpec().getFailurePolicy().setInPlaceRestarts(0);
    job.getSpec().setReplicas(12);
    assertThat(RankPodBuilder.build(job, 3, 1, null).getSpec().getHostname()).isEqualTo("llama-3");
  }

  @Test
  void rankPodCarriesIdentityOwnerAndDnsName() {
    TrainingJob job = TestJobs.job("llama", 4, 8);
    Pod pod = RankPodBuilder.build(job, 2, 3, null);

    assertThat(pod.getMetadata().getName()).isEqualTo("llama-r2-a3");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(pod.getMetadata().getLabels()).containsEntry("gangway.dev/job-name", "llama")
        .containsEntry("gangway.dev/rank", "2").containsEntry("gangway.dev/attempt", "3").containsEntry("team", "nlp");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("note", "kept");
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo("uid-llama");
      assertThat(o.getController()).isTrue();
      assertThat(o.getKind()).isEqualTo("TrainingJob");
    });
    assertThat(pod.getSpec().getHostname()).isEqualTo("llama-2");
    assertThat(pod.getSpec().getSubdomain()).isEqualTo("llama");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getNodeName()).isNull();
    assertThat(pod.getSpec().getSchedulingGates()).as("placed before it is created: no gate").isNullOrEmpty();
  }

  @Test
  void everyContainerGetsAReadOnlyTokenForGangwaysAudienceAndItsPath() {
    TrainingJob job = TestJobs.job("llama", 2, 8);
    job.getSpec().getTemplate().getSpec().setAutomountServiceAccountToken(false);
    Pod pod = RankPodBuilder.build(job, 0, 1, null);

    assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("gangway-intake-token")).singleElement().satisfies(v -> {
      var token = v.getProjected().getSources().get(0).getServiceAccountToken();
      assertThat(token.getAudience()).isEqualTo("gangway.dev/intake");
      assertThat(token.getExpirationSeconds()).isEqualTo(3600L);
      assertThat(token.getPath()).isEqualTo("token");
    });
    for (Container c : pod.getSpec().getContainers()) {
      assertThat(c.getVolumeMounts()).filteredOn(m -> m.getName().equals("gangway-intake-token")).singleElement()
          .satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/gangway.dev/intake");
            assertThat(m.getReadOnly()).isTrue();
          });
      assertThat(env(c)).containsEntry("GANGWAY_TOKEN_FILE", "/var/run/secrets/gangway.dev/intake/token");
    }
    // The template's choice about the API server token stands: the intake token is of no use against the API server.
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void aFailedContainersLogTailReachesItsStatusUnlessTheTemplateChoseAPolicy() {
    TrainingJob job = TestJobs.job("llama", 2, 8);
    job.getSpec().getTemplate().getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
        .withName("logger").withImage("busybox").withTerminationMessagePolicy("File").build());
    Pod pod = RankPodBuilder.build(job, 0, 1, null);
    assertThat(pod.getSpec().getContainers()).allSatisfy(c -> assertThat(c.getTerminationMessagePolicy())
        .isEqualTo(c.getName().equals("logger") ? "File" : "FallbackToLogsOnError"));
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getTerminationMessagePolicy())
        .as("the job's own template is not changed").isNull();
  }

  @Test
  void gpuLimitGoesOnTheMainContainerOnly() {
    Pod pod = RankPodBuilder.build(TestJobs.job("llama", 2, 8), 0, 1, null);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("8"));
    assertThat(pod.getSpec().getContainers().get(1).getResources()).isNull();
  }

  @Test
  void cpuOnlyGangGetsNoGpuLimit() {
    Pod pod = RankPodBuilder.build(TestJobs.job("cpu", 2, 0), 0, 1, null);
    assertThat(pod.getSpec().getContainers().get(0).getResources()).isNull();
  }

  @Test
  void everyContainerGetsTheRendezvousEnvAndGangwayValuesReplaceTemplateOnes() {
    Pod pod = RankPodBuilder.build(TestJobs.job("llama", 4, 8), 1, 1, "/ckpt/step-100");
    for (Container c : pod.getSpec().getContainers()) {
      Map<String, String> env = env(c);
      assertThat(env).containsEntry("RANK", "1").containsEntry("GANGWAY_RESUME_FROM", "/ckpt/step-100")
          .containsEntry("MASTER_ADDR", "llama-0.llama.team-a.svc");
      assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("RANK")).hasSize(1);
    }
    assertThat(env(pod.getSpec().getContainers().get(0))).containsEntry("LR", "3e-4");
  }

  @Test
  void checkpointClaimIsMountedInEveryContainer() {
    TrainingJob job = TestJobs.job("llama", 2, 8);
    CheckpointSpec checkpoint = new CheckpointSpec();
    checkpoint.setClaimName("ckpt-pvc");
    checkpoint.setMountPath("/ckpt");
    job.getSpec().setCheckpoint(checkpoint);

    Pod pod = RankPodBuilder.build(job, 0, 1, null);
    assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("gangway-checkpoint");
      assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("ckpt-pvc");
    });
    assertThat(pod.getSpec().getContainers()).allSatisfy(c ->
        assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/ckpt") && m.getName().equals("gangway-checkpoint")));
    assertThat(env(pod.getSpec().getContainers().get(0))).containsEntry("GANGWAY_CHECKPOINT_DIR", "/ckpt");
  }

  @Test
  void mpiRanksMountTheHostfile() {
    TrainingJob job = TestJobs.job("hpl", 2, 4);
    job.getSpec().setFramework(Framework.MPI);
    Pod pod = RankPodBuilder.build(job, 0, 1, null);
    assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap().getName()).isEqualTo("hpl-mpi"));
    assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/gangway/mpi") && m.getReadOnly());
    assertThat(GangServiceBuilder.mpiHostfile(job).getData()).containsOnlyKeys("hostfile", "hydra-hostfile")
        .containsEntry("hostfile", "hpl-0.hpl.team-a.svc slots=4\nhpl-1.hpl.team-a.svc slots=4\n");
  }

  @Test
  void mpiRanksMountTheJobsSshSecretOwnerReadOnlyAndPointTheLaunchersAtIt() {
    TrainingJob job = TestJobs.job("hpl", 2, 4);
    job.getSpec().setFramework(Framework.MPI);
    Pod pod = RankPodBuilder.build(job, 1, 2, null);
    assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("gangway-ssh")).singleElement().satisfies(v -> {
      assertThat(v.getSecret().getSecretName()).isEqualTo("hpl-ssh-uid").isEqualTo(GangServiceBuilder.sshSecret(job,
          dev.gangway.rendezvous.SshKeyPair.generate(), dev.gangway.rendezvous.SshKeyPair.generate()).getMetadata().getName());
      assertThat(v.getSecret().getDefaultMode()).isEqualTo(0400);
    });
    assertThat(pod.getSpec().getContainers()).allSatisfy(c -> {
      assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/gangway/ssh") && m.getReadOnly());
      assertThat(env(c)).containsEntry("OMPI_MCA_plm_rsh_args", "-F /etc/gangway/ssh/ssh_config")
          .containsEntry("HYDRA_LAUNCHER_EXTRA_ARGS", "-F /etc/gangway/ssh/ssh_config");
    });
  }

  @Test
  void anMpiTemplateThatMountsItsOwnSshSecretKeepsItAndItsVariables() {
    TrainingJob job = TestJobs.job("hpl", 2, 4);
    job.getSpec().setFramework(Framework.MPI);
    var template = job.getSpec().getTemplate().getSpec();
    template.setVolumes(java.util.List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("keys")
        .withNewSecret().withSecretName("my-keys").endSecret().build()));
    template.getContainers().get(0).setVolumeMounts(java.util.List.of(
        new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("keys").withMountPath("/etc/gangway/ssh").build()));
    template.getContainers().get(0).getEnv().add(new EnvVar("OMPI_MCA_plm_rsh_args", "-i /etc/gangway/ssh/mine", null));
    Pod pod = RankPodBuilder.build(job, 0, 1, null);
    assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).contains("keys").doesNotContain("gangway-ssh");
    assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/etc/gangway/ssh"))
        .singleElement().satisfies(m -> assertThat(m.getName()).isEqualTo("keys"));
    assertThat(env(pod.getSpec().getContainers().get(0))).containsEntry("OMPI_MCA_plm_rsh_args", "-i /etc/gangway/ssh/mine");
  }

  @Test
  void initContainersGetTheRendezvousEnvAndHostfilesToo() {
    TrainingJob job = TestJobs.job("hpl", 2, 4);
    job.getSpec().setFramework(Framework.MPI);
    job.getSpec().getTemplate().getSpec().setInitContainers(java.util.List.of(
        new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("wait-for-rank0").withImage("busybox")
            .addNewEnv().withName("GANGWAY_RANK").withValue("stale").endEnv().build()));
    Container init = RankPodBuilder.build(job, 1, 2, null).getSpec().getInitContainers().get(0);
    assertThat(env(init)).containsEntry("GANGWAY_RANK", "1").containsEntry("GANGWAY_ATTEMPT", "2")
        .containsEntry("PRTE_MCA_prte_default_hostfile", "/etc/gangway/mpi/hostfile");
    assertThat(init.getEnv()).filteredOn(e -> e.getName().equals("GANGWAY_RANK")).hasSize(1);
    assertThat(init.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/gangway/mpi"));
    assertThat(init.getResources()).as("the GPU limit stays on the main container").isNull();
  }

  @Test
  void buildingDoesNotMutateTheJobTemplate() {
    TrainingJob job = TestJobs.job("llama", 2, 8);
    RankPodBuilder.build(job, 0, 1, null);
    assertThat(job.getSpec().getTemplate().getSpec().getHostname()).isNull();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getResources()).isNull();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).hasSize(2);
  }

  @Test
  void headlessServicePublishesNotReadyRanks() {
    Service svc = GangServiceBuilder.headlessService(TestJobs.job("llama", 2, 8), 3);
    assertThat(svc.getMetadata().getName()).isEqualTo("llama");
    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(svc.getSpec().getPublishNotReadyAddresses()).isTrue();
    // Only the given attempt's pods: a restarting gang's names never resolve to the attempt being torn down.
    assertThat(svc.getSpec().getSelector()).containsOnly(Map.entry("gangway.dev/job-name", "llama"), Map.entry("gangway.dev/attempt", "3"));
    assertThat(svc.getMetadata().getLabels()).containsOnly(Map.entry("gangway.dev/job-name", "llama"));
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(29500));
  }

  public static Map<String, String> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
  }
}
