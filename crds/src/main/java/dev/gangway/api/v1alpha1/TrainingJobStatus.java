package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Current attempt, starting at 1; each gang restart starts a new attempt. Exported as GANGWAY_ATTEMPT.")
  private Integer attempt;

  @JsonPropertyDescription("Number of gang restarts so far.")
  private Integer restarts;

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
        && Objects.equals(restarts, s.restarts) && Objects.equals(readyRanks, s.readyRanks)
        && Objects.equals(ready, s.ready) && Objects.equals(gpus, s.gpus)
        && Objects.equals(placement, s.placement) && Objects.equals(lastCheckpoint, s.lastCheckpoint)
        && Objects.equals(startTime, s.startTime) && Objects.equals(completionTime, s.completionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, conditions, observedGeneration, attempt, restarts, readyRanks, ready, gpus,
        placement, lastCheckpoint, startTime, completionTime);
  }
}
