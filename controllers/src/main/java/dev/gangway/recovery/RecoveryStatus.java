package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.RecoveryTimingStatus;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Writes recovery decisions and timings into a job's (copied) status. Pure apart from mutating that copy. */
public final class RecoveryStatus {
  /** status.restartHistory keeps the newest this many entries. */
  public static final int HISTORY_LIMIT = 10;

  private RecoveryStatus() {
  }

  /**
   * Counts the restart, records the node exclusions, appends to the restart history and sets
   * nextRestartTime. Does not change status.attempt: the caller moves to {@code restart.nextAttempt()}
   * when it starts the new gang.
   *
   * @return false, changing nothing, when this attempt's restart is recorded already (a repeated reconcile)
   */
  public static boolean recordRestart(TrainingJobStatus status, RestartPlan.Restart restart) {
    List<RestartRecord> history = status.getRestartHistory() == null ? new ArrayList<>() : new ArrayList<>(status.getRestartHistory());
    if (!history.isEmpty() && Objects.equals(history.get(history.size() - 1).getAttempt(), restart.record().getAttempt())) {
      return false;
    }
    if (restart.infrastructure()) {
      status.setInfrastructureRestarts(Objects.requireNonNullElse(status.getInfrastructureRestarts(), 0) + 1);
    } else {
      status.setRestarts(Objects.requireNonNullElse(status.getRestarts(), 0) + 1);
    }
    NodeExclusions.writeTo(status, restart.exclusions());
    history.add(restart.record());
    status.setRestartHistory(new ArrayList<>(history.subList(Math.max(0, history.size() - HISTORY_LIMIT), history.size())));
    status.setNextRestartTime(restart.notBefore().toString());
    return true;
  }

  /** Once every rank of the new attempt runs: the timings, the last restart's recovery time, no pending restart. */
  public static void recordRecovered(TrainingJobStatus status, RecoveryTimings timings) {
    RecoveryTimingStatus t = new RecoveryTimingStatus();
    t.setLastDetectionSeconds(timings.detectionSeconds());
    t.setLastRecoverySeconds(timings.recoverySeconds());
    t.setLastLostWorkSeconds(timings.lostWorkSeconds());
    status.setTimings(t);
    status.setNextRestartTime(null);
    List<RestartRecord> history = status.getRestartHistory();
    if (history != null && !history.isEmpty() && timings.recovery() != null) {
      history.get(history.size() - 1).setRecoverySeconds(timings.recoverySeconds());
    }
  }
}
