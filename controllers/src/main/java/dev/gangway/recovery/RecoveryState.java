package dev.gangway.recovery;

import dev.gangway.pod.Timestamps;
import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the restart planner needs of a job's past, read from its status.
 *
 * @param restarts restarts counted against maxRestarts
 * @param exclusions status.nodeExclusions as stored, ended ones included
 * @param lastFailureTime time of the newest restartHistory entry, null if none
 * @param restartHistory oldest first
 * @param lastCheckpoint the last checkpoint reported complete, null if none
 */
public record RecoveryState(int attempt, int restarts, int infrastructureRestarts, Instant lastFailureTime, List<NodeExclusion> exclusions,
                            List<RestartRecord> restartHistory, CheckpointStatus lastCheckpoint) {

  public RecoveryState {
    exclusions = exclusions == null ? List.of() : List.copyOf(exclusions);
    restartHistory = restartHistory == null ? List.of() : List.copyOf(restartHistory);
  }

  public static RecoveryState of(TrainingJobStatus status) {
    if (status == null) {
      return new RecoveryState(1, 0, 0, null, List.of(), List.of(), null);
    }
    List<RestartRecord> history = status.getRestartHistory() == null ? List.of() : status.getRestartHistory();
    Instant last = history.isEmpty() ? null : Timestamps.parse(history.get(history.size() - 1).getTime());
    return new RecoveryState(Objects.requireNonNullElse(status.getAttempt(), 1), Objects.requireNonNullElse(status.getRestarts(), 0),
        Objects.requireNonNullElse(status.getInfrastructureRestarts(), 0), last, status.getNodeExclusions(), history,
        status.getLastCheckpoint());
  }

  /** Failure times of the restart history, oldest first; unreadable times are null. */
  public List<Instant> failureTimes() {
    return restartHistory.stream().map(r -> Timestamps.parse(r.getTime())).toList();
  }

  /** When the last accepted checkpoint was completed; null when there is none or its time is unreadable. */
  public Instant lastCheckpointTime() {
    return lastCheckpoint == null ? null : Timestamps.parse(lastCheckpoint.getTime());
  }

  public String resumePath() {
    return lastCheckpoint == null ? null : lastCheckpoint.getPath();
  }

}
