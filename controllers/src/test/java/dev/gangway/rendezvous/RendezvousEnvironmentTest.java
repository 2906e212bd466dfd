package dev.gangway.rendezvous;

import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.CheckpointSpec;
import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousEnvironmentTest {

  private static TrainingJob job(Framework framework) {
    TrainingJob job = TestJobs.job("gpt", 4, 8);
    job.getSpec().setFramework(framework);
    return job;
  }

  @Test
  void pytorchGetsTorchrunAndPlainVariables() {
    Map<String, String> env = RendezvousEnvironment.forRank(job(Framework.PYTORCH), 3, 1, null);
    assertThat(env).containsEntry("PET_NNODES", "4").containsEntry("PET_NPROC_PER_NODE", "8").containsEntry("PET_NODE_RANK", "3")
        .containsEntry("PET_MASTER_ADDR", "gpt-0.gpt.team-a.svc").containsEntry("PET_MASTER_PORT", "29500")
        .containsEntry("MASTER_ADDR", "gpt-0.gpt.team-a.svc").containsEntry("MASTER_PORT", "29500")
        .containsEntry("WORLD_SIZE", "4").containsEntry("RANK", "3").containsEntry("NODE_RANK", "3")
        .doesNotContainKey("JAX_PROCESS_ID");
  }

  @Test
  void cpuOnlyPytorchStillRunsOneProcessPerNode() {
    TrainingJob job = job(Framework.PYTORCH);
    job.getSpec().setGpusPerReplica(0);
    assertThat(RendezvousEnvironment.forRank(job, 0, 1, null)).containsEntry("PET_NPROC_PER_NODE", "1");
  }

  @Test
  void jaxGetsCoordinatorProcessCountAndId() {
    Map<String, String> env = RendezvousEnvironment.forRank(job(Framework.JAX), 2, 1, null);
    assertThat(env).containsEntry("JAX_COORDINATOR_ADDRESS", "gpt-0.gpt.team-a.svc:29500")
        .containsEntry("JAX_NUM_PROCESSES", "4").containsEntry("JAX_PROCESS_ID", "2").doesNotContainKey("MASTER_ADDR");
  }

  @Test
  void mpiPointsEveryLauncherAtTheHostfileInItsOwnFormat() {
    Map<String, String> env = RendezvousEnvironment.forRank(job(Framework.MPI), 0, 1, null);
    assertThat(env).containsEntry("OMPI_MCA_orte_default_hostfile", "/etc/gangway/mpi/hostfile")
        .containsEntry("OMPI_MCA_orte_keep_fqdn_hostnames", "true")
        .containsEntry("PRTE_MCA_prte_default_hostfile", "/etc/gangway/mpi/hostfile")
        .containsEntry("GANGWAY_MPI_HOSTFILE", "/etc/gangway/mpi/hostfile")
        .containsEntry("HYDRA_HOST_FILE", "/etc/gangway/mpi/hydra-hostfile")
        .containsEntry("I_MPI_HYDRA_HOST_FILE", "/etc/gangway/mpi/hydra-hostfile")
        .containsEntry("GANGWAY_HYDRA_HOSTFILE", "/etc/gangway/mpi/hydra-hostfile")
        .doesNotContainKeys("RANK", "PRTE_MCA_rmaps_default_hostfile");
    // Every path the environment names is a file of the hostfile ConfigMap.
    assertThat(env.entrySet()).filteredOn(e -> e.getValue().startsWith(Hostfiles.DIR + "/"))
        .allSatisfy(e -> assertThat(Hostfiles.forJob(job(Framework.MPI))).containsKey(e.getValue().substring(Hostfiles.DIR.length() + 1)));
  }

  @Test
  void genericGetsOnlyGangwayVariables() {
    Map<String, String> env = RendezvousEnvironment.forRank(job(Framework.GENERIC), 1, 2, null);
    assertThat(env.keySet()).allMatch(k -> k.startsWith("GANGWAY_"));
    assertThat(env).containsEntry("GANGWAY_JOB", "gpt").containsEntry("GANGWAY_RANK", "1").containsEntry("GANGWAY_REPLICAS", "4")
        .containsEntry("GANGWAY_ATTEMPT", "2").containsEntry("GANGWAY_CHECKPOINT_DIR", "").containsEntry("GANGWAY_RESUME_FROM", "");
  }

  @Test
  void checkpointDirAndResumePathAreExported() {
    TrainingJob job = job(Framework.PYTORCH);
    CheckpointSpec checkpoint = new CheckpointSpec();
    checkpoint.setClaimName("pvc");
    checkpoint.setMountPath("/mnt/ckpt");
    job.getSpec().setCheckpoint(checkpoint);
    assertThat(RendezvousEnvironment.forRank(job, 0, 2, "/mnt/ckpt/step-900"))
        .containsEntry("GANGWAY_CHECKPOINT_DIR", "/mnt/ckpt").containsEntry("GANGWAY_RESUME_FROM", "/mnt/ckpt/step-900");
  }

  @Test
  void jobIdentityForCheckpointReportsIsExported() {
    TrainingJob job = job(Framework.PYTORCH);
    job.getMetadata().setUid("5f0c-uid");
    assertThat(RendezvousEnvironment.forRank(job, 0, 1, null))
        .containsEntry("GANGWAY_NAMESPACE", "team-a").containsEntry("GANGWAY_JOB_UID", "5f0c-uid");
  }

  @Test
  void inPlaceRestartsSwitchTorchrunToTheC10dRendezvousOnRankZeroWithOneIdPerAttempt() {
    TrainingJob job = inPlace(TestJobs.job("gpt", 12, 8), 2);
    job.getMetadata().setUid("5f0c-uid");
    Map<String, String> env = RendezvousEnvironment.forRank(job, 7, 3, null);
    assertThat(env).containsEntry("PET_RDZV_BACKEND", "c10d").containsEntry("PET_RDZV_ENDPOINT", "gpt-00.gpt.team-a.svc:29500")
        .containsEntry("PET_RDZV_ID", "5f0c-uid-3").containsEntry("PET_MAX_RESTARTS", "2")
        // torch >= 2.5 would reuse one store across the in-place rounds; restarted workers would never connect.
        .containsEntry("TORCH_DISABLE_SHARE_RDZV_TCP_STORE", "1")
        .containsEntry("PET_NNODES", "12").containsEntry("PET_NPROC_PER_NODE", "8")
        // torchrun's c10d rendezvous ignores the static flags (newer torchrun warns): not set.
        .doesNotContainKeys("PET_NODE_RANK", "PET_MASTER_ADDR", "PET_MASTER_PORT")
        // Scripts without torchrun keep theirs; Gangway's own names stay the pod's rank.
        .containsEntry("MASTER_ADDR", "gpt-00.gpt.team-a.svc").containsEntry("RANK", "7").containsEntry("GANGWAY_RANK", "7")
        .containsEntry("GANGWAY_MASTER_ADDR", "gpt-00.gpt.team-a.svc");
    assertThat(RendezvousEnvironment.forRank(job, 7, 4, null)).containsEntry("PET_RDZV_ID", "5f0c-uid-4");
  }

  @Test
  void zeroInPlaceRestartsKeepTheStaticRendezvous() {
    Map<String, String> env = RendezvousEnvironment.forRank(inPlace(job(Framework.PYTORCH), 0), 3, 1, null);
    assertThat(env).containsEntry("PET_NODE_RANK", "3").containsEntry("PET_MASTER_ADDR", "gpt-0.gpt.team-a.svc")
        .doesNotContainKeys("PET_RDZV_BACKEND", "PET_MAX_RESTARTS", "TORCH_DISABLE_SHARE_RDZV_TCP_STORE");
  }

  @Test
  void otherFrameworksNeverGetInPlaceRestartsEvenIfTheFieldIsSet() {
    // The CRD refuses it at apply time; a stored object from before that rule still gets the plain environment.
    Map<String, String> env = RendezvousEnvironment.forRank(inPlace(job(Framework.JAX), 2), 1, 1, null);
    assertThat(env).containsEntry("JAX_COORDINATOR_ADDRESS", "gpt-0.gpt.team-a.svc:29500").doesNotContainKey("PET_RDZV_BACKEND");
  }

  private static TrainingJob inPlace(TrainingJob job, int restarts) {
    if (job.getSpec().getFailurePolicy() == null) {
      job.getSpec().setFailurePolicy(new dev.gangway.api.v1alpha1.FailurePolicy());
    }
    job.getSpec().getFailurePolicy().setInPlaceRestarts(restarts);
    return job;
  }
}
