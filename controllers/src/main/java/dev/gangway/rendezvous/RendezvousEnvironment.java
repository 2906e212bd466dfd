package dev.gangway.rendezvous;

import dev.gangway.pod.JobNames;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The environment contract between Gangway and training code: which variables a rank sees, per
 * framework. Each framework's names are the ones its launcher really reads (checked against the
 * clients' sources and run by e2e's RendezvousClientsE2eTest); the README documents every name produced here.
 */
public final class RendezvousEnvironment {

  private RendezvousEnvironment() {
  }

  /**
   * Variables for one rank, in a stable order.
   *
   * @param resumeFrom checkpoint path to resume from, or null on a first start
   */
  public static Map<String, String> forRank(TrainingJob job, int rank, int attempt, String resumeFrom) {
    TrainingJobSpec spec = job.getSpec();
    Map<String, String> env = new LinkedHashMap<>();
    String master = JobNames.rankAddress(job, 0);
    String port = Integer.toString(JobNames.RENDEZVOUS_PORT);
    int replicas = spec.getReplicas();
    switch (spec.frameworkOrDefault()) {
      case PYTORCH -> {
        // torchrun reads PET_* (its CLI flags as env); the plain ones serve scripts started without torchrun,
        // one process per pod, as Kubeflow's PyTorchJob defines them.
        env.put("PET_NNODES", Integer.toString(replicas));
        env.put("PET_NPROC_PER_NODE", Integer.toString(Math.max(1, spec.gpus())));
        if (spec.inPlaceRestarts() > 0) {
          // c10d: torchrun's agents stay in one rendezvous (on rank 0's agent) and restart every worker when one
          // fails or another node re-joins. It numbers the nodes itself (by name, see JobNames.hostname) and
          // ignores the static flags, which newer torchrun warns about: they are left out. One id per attempt:
          // a gang restart by Gangway starts a fresh rendezvous.
          env.put("PET_RDZV_BACKEND", "c10d");
          env.put("PET_RDZV_ENDPOINT", master + ":" + port);
          env.put("PET_RDZV_ID", Objects.requireNonNullElse(job.getMetadata().getUid(), job.getMetadata().getName()) + "-" + attempt);
          env.put("PET_MAX_RESTARTS", Integer.toString(spec.inPlaceRestarts()));
          // Since torch 2.5 the c10d agents hand their workers one store for every round; workers restarted in
          // place then read the previous round's addresses and never connect (pytorch#135712; measured with
          // torch 2.15: the restarted gloo workers were refused until the restarts ran out). A store per round
          // avoids it. Older torch ignores the variable.
          env.put("TORCH_DISABLE_SHARE_RDZV_TCP_STORE", "1");
        } else {
          env.put("PET_NODE_RANK", Integer.toString(rank));
          env.put("PET_MASTER_ADDR", master);
          env.put("PET_MASTER_PORT", port);
        }
        env.put("MASTER_ADDR", master);
        env.put("MASTER_PORT", port);
        env.put("WORLD_SIZE", Integer.toString(replicas));
        env.put("RANK", Integer.toString(rank));
        env.put("NODE_RANK", Integer.toString(rank));
      }
      case JAX -> {
        // jax.distributed.initialize() reads only the coordinator from the environment; the count and id
        // (Kubeflow's names) must be passed to it, as the README shows.
        env.put("JAX_COORDINATOR_ADDRESS", master + ":" + port);
        env.put("JAX_NUM_PROCESSES", Integer.toString(replicas));
        env.put("JAX_PROCESS_ID", Integer.toString(rank));
      }
      case MPI -> {
        String openMpi = Hostfiles.path(Hostfiles.OPEN_MPI);
        String hydra = Hostfiles.path(Hostfiles.HYDRA);
        // Open MPI up to 4 (ORTE) and Open MPI 5 (PRRTE) name their default hostfile differently.
        env.put("OMPI_MCA_orte_default_hostfile", openMpi);
        // Open MPI 4 would otherwise ssh to the short name (J-1), which no pod can resolve; PRRTE keeps the name it read.
        env.put("OMPI_MCA_orte_keep_fqdn_hostnames", "true");
        env.put("PRTE_MCA_prte_default_hostfile", openMpi);
        env.put("HYDRA_HOST_FILE", hydra);
        env.put("I_MPI_HYDRA_HOST_FILE", hydra);
        env.put("GANGWAY_MPI_HOSTFILE", openMpi);
        env.put("GANGWAY_HYDRA_HOSTFILE", hydra);
        if (LauncherSsh.generated(job)) {
          env.putAll(LauncherSsh.launcherEnv());
        }
      }
      case GENERIC -> {
        // Only the GANGWAY_* variables below.
      }
    }
    env.put("GANGWAY_JOB", job.getMetadata().getName());
    // With the name, what a checkpoint report must carry (docs/checkpoint-contract.md).
    env.put("GANGWAY_NAMESPACE", Objects.requireNonNullElse(job.getMetadata().getNamespace(), ""));
    env.put("GANGWAY_JOB_UID", Objects.requireNonNullElse(job.getMetadata().getUid(), ""));
    env.put("GANGWAY_RANK", Integer.toString(rank));
    env.put("GANGWAY_REPLICAS", Integer.toString(replicas));
    env.put("GANGWAY_ATTEMPT", Integer.toString(attempt));
    env.put("GANGWAY_MASTER_ADDR", master);
    env.put("GANGWAY_CHECKPOINT_DIR", spec.getCheckpoint() == null ? "" : spec.getCheckpoint().getMountPath());
    env.put("GANGWAY_RESUME_FROM", resumeFrom == null ? "" : resumeFrom);
    return env;
  }

  /** The same variables as Kubernetes EnvVars. */
  public static List<EnvVar> asEnvVars(Map<String, String> env) {
    return env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList();
  }
}
