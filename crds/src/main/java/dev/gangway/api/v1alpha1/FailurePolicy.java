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
  static final String UNSET = " Unset: the operator's default, ";
  static final String PLATFORM = " unless the platform changed it (Helm value failurePolicy.";

  @Min(0)
  @JsonPropertyDescription("Gang restarts allowed for failures counted against the job (user-code errors). When exhausted the "
      + "job fails with reason RestartLimitExceeded; 0 fails on the first such failure." + UNSET + DEFAULT_MAX_RESTARTS + PLATFORM
      + "maxRestarts).")
  private Integer maxRestarts;

  @Min(0)
  @JsonPropertyDescription("Gang restarts allowed for infrastructure causes (node lost or NotReady, eviction or preemption, a "
      + "fatal node-health signal). They do not count against maxRestarts, so a flaky fleet does not use up the job's "
      + "budget for its own errors. When exhausted the job fails with reason RestartLimitExceeded." + UNSET
      + DEFAULT_MAX_INFRASTRUCTURE_RESTARTS + PLATFORM + "maxInfrastructureRestarts).")
  private Integer maxInfrastructureRestarts;

  @JsonPropertyDescription("Keep this job off nodes where one of its ranks failed for a node-attributable cause (node lost, "
      + "unhealthy or NotReady, or a rank that crashed there) in later attempts; the nodes are listed in status.excludedNodes."
      + UNSET + DEFAULT_EXCLUDE_FAILED_NODES + PLATFORM + "excludeFailedNodes).")
  private Boolean excludeFailedNodes;

  @Min(0)
  @JsonPropertyDescription("When a fatal node-health signal (XID 79, ECC double-bit error, NVLink or NIC down) arrives for a node "
      + "that runs a rank while the whole gang still runs, wait up to this many seconds, counted from the signal, for the next "
      + "checkpoint report before the proactive restart, so that less work is lost. A checkpoint reported after the signal, "
      + "or a rank that actually fails, ends the wait at once. Default 0: restart at once.")
  private Integer checkpointWaitSeconds;

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
  public Integer getCheckpointWaitSeconds() { return checkpointWaitSeconds; }
  public void setCheckpointWaitSeconds(Integer checkpointWaitSeconds) { this.checkpointWaitSeconds = checkpointWaitSeconds; }
  public Backoff getBackoff() { return backoff; }
  public void setBackoff(Backoff backoff) { this.backoff = backoff; }
  public List<FailurePolicyRule> getRules() { return rules; }
  public void setRules(List<FailurePolicyRule> rules) { this.rules = rules; }
}
