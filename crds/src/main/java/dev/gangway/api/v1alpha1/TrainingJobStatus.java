package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingJobStatus {

  @JsonPropertyDescription("Coarse lifecycle: Pending, Running, Restarting, Succeeded, Failed or Suspended.")
  private JobPhase phase;

  @JsonPropertyDescription("Standard conditions: Suspended, Placed, Running, Restarting, Succeeded, Failed, each with a reason "
      + "and a message a person can act on.")
  // Bounded so that the CEL rules reading them (TrainingJob.MUTABLE) cost little; Gangway writes at most 8 types.
  @Size(max = 32)
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Current attempt, starting at 1; each gang restart starts a new attempt. Exported as GANGWAY_ATTEMPT.")
  private Integer attempt;

  @JsonPropertyDescription("Gang restarts so far that count against spec.failurePolicy.maxRestarts (failures of the job's own code).")
  private Integer restarts;

  @JsonPropertyDescription("Gang restarts so far for infrastructure causes (node lost, eviction, preemption, fatal node-health "
      + "signal); they count against spec.failurePolicy.maxInfrastructureRestarts instead.")
  private Integer infrastructureRestarts;

  @JsonPropertyDescription("Restarts of the current attempt's training processes inside its pods (torchrun restarting its "
      + "workers, spec.failurePolicy.inPlaceRestarts), as the attempt's newest checkpoint report counted them (its "
      + "inPlaceRestarts field): the pods keep running, so Gangway learns of these only from the reports. Unset until a "
      + "report counts one; a gang restart clears it.")
  private Integer inPlaceRestarts;

  @JsonPropertyDescription("Names of the nodes this job is kept off now because one of its ranks failed there for a cause that "
      + "is the node's (spec.failurePolicy.excludeFailedNodes); the names of status.nodeExclusions, kept for readers of this list.")
  private List<String> excludedNodes;

  @JsonPropertyDescription("The job's node exclusions: each node, the failure's cause, when, and until when it is excluded "
      + "(spec.failurePolicy.nodeExclusionSeconds after the failure). Entries leave the list once their time is over.")
  private List<NodeExclusion> nodeExclusions;

  @Size(max = 10)
  @JsonPropertyDescription("The last gang restarts, oldest first, at most 10.")
  private List<RestartRecord> restartHistory;

  @JsonPropertyDescription("When the pending restart starts, after its backoff (RFC 3339); unset when no restart is pending.")
  private String nextRestartTime;

  @JsonPropertyDescription("Durations of the last recovery: detection, failure to running again, and work lost.")
  private RecoveryTimingStatus timings;

  @JsonPropertyDescription("Ranks of the current attempt that are running and ready.")
  private Integer readyRanks;

  @JsonPropertyDescription("Ready ranks over total ranks, for display (e.g. 3/4).")
  private String ready;

  @JsonPropertyDescription("GPUs the gang holds when it runs: replicas times gpusPerReplica.")
  private Integer gpus;

  @JsonPropertyDescription("Where the current attempt's ranks run.")
  private PlacementStatus placement;

  @JsonPropertyDescription("The last checkpoint reported complete; a restart resumes from it.")
  private CheckpointStatus lastCheckpoint;

  @JsonPropertyDescription("Of the GPU time the job has held, how much trained, and what the rest was lost to.")
  private GoodputStatus goodput;

  @JsonPropertyDescription("When the gang first had every rank running (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When the job succeeded or failed (RFC 3339).")
  private String completionTime;

  public JobPhase getPhase() { return phase; }
  public void setPhase(JobPhase phase) { this.phase = phase; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public Integer getAttempt() { return attempt; }
  public void setAttempt(Integer attempt) { this.attempt = attempt; }
  public Integer getRestarts() { return restarts; }
  public void setRestarts(Integer restarts) { this.restarts = restarts; }
  public Integer getInPlaceRestarts() { return inPlaceRestarts; }
  public void setInPlaceRestarts(Integer inPlaceRestarts) { this.inPlaceRestarts = inPlaceRestarts; }
  public Integer getInfrastructureRestarts() { return infrastructureRestarts; }
  public void setInfrastructureRestarts(Integer infrastructureRestarts) { this.infrastructureRestarts = infrastructureRestarts; }
  public List<String> getExcludedNodes() { return excludedNodes; }
  public void setExcludedNodes(List<String> excludedNodes) { this.excludedNodes = excludedNodes; }
  public List<NodeExclusion> getNodeExclusions() { return nodeExclusions; }
  public void setNodeExclusions(List<NodeExclusion> nodeExclusions) { this.nodeExclusions = nodeExclusions; }
  public List<RestartRecord> getRestartHistory() { return restartHistory; }
  public void setRestartHistory(List<RestartRecord> restartHistory) { this.restartHistory = restartHistory; }
  public String getNextRestartTime() { return nextRestartTime; }
  public void setNextRestartTime(String nextRestartTime) { this.nextRestartTime = nextRestartTime; }
  public RecoveryTimingStatus getTimings() { return timings; }
  public void setTimings(RecoveryTimingStatus timings) { this.timings = timings; }
  public Integer getReadyRanks() { return readyRanks; }
  public void setReadyRanks(Integer readyRanks) { this.readyRanks = readyRanks; }
  public String getReady() { return ready; }
  public void setReady(String ready) { this.ready = ready; }
  public Integer getGpus() { return gpus; }
  public void setGpus(Integer gpus) { this.gpus = gpus; }
  public PlacementStatus getPlacement() { return placement; }
  public void setPlacement(PlacementStatus placement) { this.placement = placement; }
  public CheckpointStatus getLastCheckpoint() { return lastCheckpoint; }
  public void setLastCheckpoint(CheckpointStatus lastCheckpoint) { this.lastCheckpoint = lastCheckpoint; }
  public GoodputStatus getGoodput() { return goodput; }
  public void setGoodput(GoodputStatus goodput) { this.goodput = goodput; }
  public String getStartTime() { return startTime; }
  public void setStartTime(String startTime) { this.startTime = startTime; }
  public String getCompletionTime() { return completionTime; }
  public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof TrainingJobStatus s)) return false;
    return phase == s.phase && Objects.equals(conditions, s.conditions)
        && Objects.equals(observedGeneration, s.observedGeneration) && Objects.equals(attempt, s.attempt)
        && Objects.equals(restarts, s.restarts) && Objects.equals(infrastructureRestarts, s.infrastructureRestarts)
        && Objects.equals(inPlaceRestarts, s.inPlaceRestarts)
        && Objects.equals(excludedNodes, s.excludedNodes) && Objects.equals(nodeExclusions, s.nodeExclusions)
        && Objects.equals(restartHistory, s.restartHistory)
        && Objects.equals(nextRestartTime, s.nextRestartTime) && Objects.equals(timings, s.timings)
        && Objects.equals(readyRanks, s.readyRanks)
        && Objects.equals(ready, s.ready) && Objects.equals(gpus, s.gpus)
        && Objects.equals(placement, s.placement) && Objects.equals(lastCheckpoint, s.lastCheckpoint)
        && Objects.equals(goodput, s.goodput)
        && Objects.equals(startTime, s.startTime) && Objects.equals(completionTime, s.completionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, conditions, observedGeneration, attempt, restarts, infrastructureRestarts, inPlaceRestarts, excludedNodes, nodeExclusions,
        restartHistory, nextRestartTime, timings, readyRanks, ready, gpus, placement, lastCheckpoint, goodput, startTime, completionTime);
  }
}
