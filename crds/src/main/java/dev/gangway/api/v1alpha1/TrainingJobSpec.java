package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.template.spec) && size(self.template.spec.containers) >= 1",
    message = "spec.template.spec.containers must list at least one container: the first one is the rank's main (training) container")
@ValidationRule(value = "!has(self.topology) || !has(self.topology.groupSize) || self.replicas % self.topology.groupSize == 0",
    message = "spec.topology.groupSize must divide spec.replicas so that every rank belongs to one whole group; pick a divisor of replicas")
@ValidationRule(value = "!has(self.failurePolicy) || !has(self.failurePolicy.inPlaceRestarts) || self.failurePolicy.inPlaceRestarts == 0"
    + " || self.framework == 'pytorch'",
    message = "spec.failurePolicy.inPlaceRestarts needs framework pytorch: torchrun restarts the processes in place; for other "
        + "frameworks leave it unset (Gangway restarts the gang)")
public class TrainingJobSpec {

  @Required
  @Min(1)
  @JsonPropertyDescription("Number of ranks (pods) in the gang. Each rank runs the template once. Minimum 1.")
  private Integer replicas;

  @Min(0)
  @Default("1")
  @JsonPropertyDescription("GPUs each rank needs (nvidia.com/gpu). Gangway sets this as the main container's GPU limit; "
      + "a template that sets a different GPU limit is rejected as InvalidSpec. 0 runs a CPU-only gang. Default 1.")
  private Integer gpusPerReplica = 1;

  @Default("pytorch")
  @JsonPropertyDescription("Rendezvous environment to inject: pytorch (torchrun PET_* and MASTER_ADDR/WORLD_SIZE/RANK), "
      + "jax (JAX_COORDINATOR_ADDRESS, which jax.distributed.initialize() reads, and JAX_NUM_PROCESSES/JAX_PROCESS_ID, which "
      + "it does not: pass them as num_processes and process_id), mpi (hostfiles in Open MPI and Hydra formats under "
      + "/etc/gangway/mpi, the job's ssh keys in a Secret Gangway generates, mounted at /etc/gangway/ssh unless the template "
      + "mounts its own there, and the Open MPI 4/5, MPICH and Intel MPI variables pointing at both) or generic (only the "
      + "GANGWAY_* variables). Default pytorch.")
  private Framework framework = Framework.PYTORCH;

  @Required
  @JsonPropertyDescription("Pod template for every rank. The first container is the main (training) container: it gets the GPU "
      + "limit and, like every container, the rendezvous environment. restartPolicy is forced to Never: Gangway restarts the "
      + "whole gang, never a single rank.")
  private PodTemplateSpec template;

  @Default("AllRanks")
  @JsonPropertyDescription("When the job has succeeded: AllRanks (every rank exited 0, the default) or RankZero (rank 0 exited 0; "
      + "the remaining ranks are then stopped).")
  private SuccessPolicy successPolicy = SuccessPolicy.AllRanks;

  @JsonPropertyDescription("Network-topology constraints for placing the gang: the level (from the ClusterTopology) that all "
      + "ranks must or should share, and optionally groups of consecutive ranks (tensor-parallel groups) that must share a tighter level.")
  private TopologySpec topology;

  @JsonPropertyDescription("Where the job's checkpoints live. Gangway mounts it in every container, exports its path as "
      + "GANGWAY_CHECKPOINT_DIR and, on a restart, sets GANGWAY_RESUME_FROM to the last checkpoint reported complete.")
  private CheckpointSpec checkpoint;

  @JsonPropertyDescription("How failures are handled: how many gang restarts are allowed, the backoff between them, and rules "
      + "that map exit codes, termination reasons, pod conditions and node failures to an action.")
  private FailurePolicy failurePolicy;

  @Default("false")
  @JsonPropertyDescription("Suspends the job: Gangway deletes its pods and keeps the job (condition Suspended). Setting it back "
      + "to false starts the gang again. This is how a queue such as Kueue admits jobs.")
  private Boolean suspend = false;

  @Min(0)
  @JsonPropertyDescription("Seconds after the job succeeds or fails before Gangway deletes it, and with it its pods and "
      + "service. Unset keeps finished jobs until they are deleted.")
  private Long ttlSecondsAfterFinished;

  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public Integer getGpusPerReplica() { return gpusPerReplica; }
  public void setGpusPerReplica(Integer gpusPerReplica) { this.gpusPerReplica = gpusPerReplica; }
  public Framework getFramework() { return framework; }
  public void setFramework(Framework framework) { this.framework = framework; }
  public PodTemplateSpec getTemplate() { return template; }
  public void setTemplate(PodTemplateSpec template) { this.template = template; }
  public SuccessPolicy getSuccessPolicy() { return successPolicy; }
  public void setSuccessPolicy(SuccessPolicy successPolicy) { this.successPolicy = successPolicy; }
  public TopologySpec getTopology() { return topology; }
  public void setTopology(TopologySpec topology) { this.topology = topology; }
  public CheckpointSpec getCheckpoint() { return checkpoint; }
  public void setCheckpoint(CheckpointSpec checkpoint) { this.checkpoint = checkpoint; }
  public FailurePolicy getFailurePolicy() { return failurePolicy; }
  public void setFailurePolicy(FailurePolicy failurePolicy) { this.failurePolicy = failurePolicy; }
  public Boolean getSuspend() { return suspend; }
  public void setSuspend(Boolean suspend) { this.suspend = suspend; }
  public Long getTtlSecondsAfterFinished() { return ttlSecondsAfterFinished; }
  public void setTtlSecondsAfterFinished(Long ttlSecondsAfterFinished) { this.ttlSecondsAfterFinished = ttlSecondsAfterFinished; }

  /** True when the spec asks for the job to be suspended. */
  public boolean suspended() { return Boolean.TRUE.equals(suspend); }

  /** GPUs per rank with the API default applied. */
  public int gpus() { return gpusPerReplica == null ? 1 : gpusPerReplica; }

  /** spec.failurePolicy.inPlaceRestarts, 0 when unset; only a pytorch job has any (the CRD refuses others). */
  public int inPlaceRestarts() {
    Integer n = failurePolicy == null ? null : failurePolicy.getInPlaceRestarts();
    return n == null || frameworkOrDefault() != Framework.PYTORCH ? 0 : n;
  }

  /** Framework with the API default applied. */
  public Framework frameworkOrDefault() { return framework == null ? Framework.PYTORCH : framework; }
}
