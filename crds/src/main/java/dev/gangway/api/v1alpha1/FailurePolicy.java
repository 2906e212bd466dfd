package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailurePolicy {

  /** Out-of-the-box operator defaults for unset fields; the platform may change them (Helm values failurePolicy.*). */
  public static final int DEFAULT_MAX_RESTARTS = 3;
  public static final int DEFAULT_MAX_INFRASTRUCTURE_RESTARTS = 10;
  public static final boolean DEFAULT_EXCLUDE_FAILED_NODES = true;
  /** 4 h: past a typical node repair, and short enough that a weeks-long job on a full fleet never runs out of nodes. */
  public static final int DEFAULT_NODE_EXCLUSION_SECONDS = 4 * 3600;
  /** What a job must know about the budgets before it runs for weeks. */
  static final String LONG_JOBS = " The budget counts every restart of the job's life, not a rate: a long job must raise it. At "
      + "published fleet failure rates (Llama 3: 419 interruptions in 54 days on 16,384 GPUs, about 8 a day) a weeks-long "
      + "pre-training job on thousands of GPUs needs hundreds.";
  static final String UNSET = " Unset: the operator's default, ";
  static final String PLATFORM = " unless the platform changed it (Helm value failurePolicy.";

  @Min(0)
  @JsonPropertyDescription("Gang restarts allowed for failures counted against the job (user-code errors). When exhausted the "
      + "job fails with reason RestartLimitExceeded; 0 fails on the first such failure. Without a node-health agent a GPU fault "
      + "often shows only as a crash of the training process, and counts here." + LONG_JOBS + UNSET + DEFAULT_MAX_RESTARTS
      + PLATFORM + "maxRestarts).")
  private Integer maxRestarts;

  @Min(0)
  @JsonPropertyDescription("Gang restarts allowed for infrastructure causes (node lost or NotReady, eviction or preemption, a "
      + "fatal node-health signal). They do not count against maxRestarts, so a flaky fleet does not use up the job's "
      + "budget for its own errors. When exhausted the job fails with reason RestartLimitExceeded." + LONG_JOBS + UNSET
      + DEFAULT_MAX_INFRASTRUCTURE_RESTARTS + PLATFORM + "maxInfrastructureRestarts).")
  private Integer maxInfrastructureRestarts;

  @JsonPropertyDescription("Keep this job off a node for nodeExclusionSeconds after one of its ranks failed there for a cause "
      + "that is the node's: the node was lost (deleted, or NotReady past the grace period), a fatal health signal (XID, ECC, "
      + "NVLink or NIC down), or the rank was killed as its node went down. A crash (any other exit code), an OOM kill, an "
      + "eviction or a preemption does not exclude the node: that is the program's or the scheduler's, not the node's. The "
      + "exclusions are in status.nodeExclusions (names in status.excludedNodes)." + UNSET + DEFAULT_EXCLUDE_FAILED_NODES
      + PLATFORM + "excludeFailedNodes).")
  private Boolean excludeFailedNodes;

  @Min(1)
  @JsonPropertyDescription("How long a node stays excluded after a failure there (excludeFailedNodes), in seconds; another "
      + "failure there renews it. If the job cannot be placed without its excluded nodes it waits with condition Placed=False, "
      + "reason ExcludedNodesLeaveNoRoom, until the first exclusion ends." + UNSET + DEFAULT_NODE_EXCLUSION_SECONDS + PLATFORM
      + "nodeExclusionSeconds).")
  private Integer nodeExclusionSeconds;

  @Min(0)
  @JsonPropertyDescription("When a fatal node-health signal (XID 79, ECC double-bit error, NVLink or NIC down) arrives for a node "
      + "that runs a rank while the whole gang still runs, wait up to this many seconds, counted from the signal, for the next "
      + "checkpoint report before the proactive restart, so that less work is lost. A checkpoint reported after the signal, "
      + "or a rank that actually fails, ends the wait at once. Default 0: restart at once.")
  private Integer checkpointWaitSeconds;

  @Min(0)
  @JsonPropertyDescription("framework pytorch only: how many times torchrun may restart the gang's training processes in "
      + "place, keeping the pods, before a rank's pod fails and Gangway restarts the gang by recreating it. When one worker "
      + "process exits, torchrun's agents stop every worker of the gang and start them again, ranks unchanged: no pod is "
      + "deleted, created or scheduled, so the restart takes about the time the processes need to start. For it Gangway "
      + "switches torchrun to its c10d rendezvous hosted by rank 0 (PET_RDZV_BACKEND, PET_RDZV_ENDPOINT, PET_RDZV_ID, "
      + "PET_MAX_RESTARTS instead of PET_MASTER_ADDR, PET_MASTER_PORT and PET_NODE_RANK), and zero-pads the ranks in pod "
      + "hostnames to one width (J-00 … J-11 for 12 ranks), because that rendezvous numbers the nodes in the order of their "
      + "names. The training script must start with torchrun and resume from its own latest checkpoint (GANGWAY_RESUME_FROM "
      + "still names the one the attempt started from). In-place restarts "
      + "do not count against maxRestarts and are not in status.restarts. A node lost or a fatal node-health signal still "
      + "makes Gangway restart the gang away from that node; a GPU fault that only crashes the process is restarted in "
      + "place until the restarts run out. Default 0: every failure is a gang restart by Gangway.")
  private Integer inPlaceRestarts;

  @JsonPropertyDescription("Exponential backoff between gang restarts.")
  private Backoff backoff;

  @JsonPropertyDescription("Rules matched in order against a failure; the first match decides the action. Failures no rule "
      + "matches follow the documented defaults (infrastructure causes restart, user-code errors count against maxRestarts).")
  private List<FailurePolicyRule> rules = new ArrayList<>();

  public Integer getMaxRestarts() { return maxRestarts; }
  public void setMaxRestarts(Integer maxRestarts) { this.maxRestarts = maxRestarts; }
  public Integer getMaxInfrastructureRestarts() { return maxInfrastructureRestarts; }
  public void setMaxInfrastructureRestarts(Integer maxInfrastructureRestarts) { this.maxInfrastructureRestarts = maxInfrastructureRestarts; }
  public Boolean getExcludeFailedNodes() { return excludeFailedNodes; }
  public void setExcludeFailedNodes(Boolean excludeFailedNodes) { this.excludeFailedNodes = excludeFailedNodes; }
  public Integer getNodeExclusionSeconds() { return nodeExclusionSeconds; }
  public void setNodeExclusionSeconds(Integer nodeExclusionSeconds) { this.nodeExclusionSeconds = nodeExclusionSeconds; }
  public Integer getCheckpointWaitSeconds() { return checkpointWaitSeconds; }
  public void setCheckpointWaitSeconds(Integer checkpointWaitSeconds) { this.checkpointWaitSeconds = checkpointWaitSeconds; }
  public Integer getInPlaceRestarts() { return inPlaceRestarts; }
  public void setInPlaceRestarts(Integer inPlaceRestarts) { this.inPlaceRestarts = inPlaceRestarts; }
  public Backoff getBackoff() { return backoff; }
  public void setBackoff(Backoff backoff) { this.backoff = backoff; }
  public List<FailurePolicyRule> getRules() { return rules; }
  public void setRules(List<FailurePolicyRule> rules) { this.rules = rules; }
}
