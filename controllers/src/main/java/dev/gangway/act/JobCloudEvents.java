package dev.gangway.act;

import dev.gangway.decide.JobEvent;
import dev.gangway.decide.JobStatusMachine;
import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.events.JobEventPublisher;
import dev.gangway.events.JobLifecycleEvent;
import java.time.Instant;
import java.util.Map;

/** Turns the Kubernetes Events a transition produced into CloudEvents on the job-events channel. */
public final class LifecycleEvents {
  private static final Map<String, JobLifecycleEvent.Type> BY_REASON = Map.ofEntries(
      Map.entry("Started", JobLifecycleEvent.Type.Admitted),
      Map.entry("Resumed", JobLifecycleEvent.Type.Resumed),
      Map.entry("Placed", JobLifecycleEvent.Type.Placed),
      Map.entry("Running", JobLifecycleEvent.Type.Running),
      Map.entry(JobStatusMachine.REASON_RANK_FAILED, JobLifecycleEvent.Type.RankFailed),
      Map.entry("Restarting", JobLifecycleEvent.Type.Restarting),
      Map.entry("Succeeded", JobLifecycleEvent.Type.Succeeded),
      Map.entry(JobStatusMachine.REASON_INVALID_SPEC, JobLifecycleEvent.Type.Failed),
      Map.entry("RestartLimitExceeded", JobLifecycleEvent.Type.Failed),
      Map.entry("PermanentFailure", JobLifecycleEvent.Type.Failed));

  private LifecycleEvents() {
  }

  public static void publish(JobEventPublisher publisher, TrainingJob job, TrainingJobStatus status, JobEvent event, Instant now) {
    JobLifecycleEvent.Type type = BY_REASON.get(event.reason());
    if (type == null) {
      return;
    }
    int attempt = status.getAttempt() == null ? 1 : status.getAttempt();
    JobLifecycleEvent out = JobLifecycleEvent.of(type, job, attempt, now).withReason(event.reason(), event.message());
    boolean aboutAFailure = type == JobLifecycleEvent.Type.RankFailed || type == JobLifecycleEvent.Type.Restarting;
    if (aboutAFailure && status.getRestartHistory() != null && !status.getRestartHistory().isEmpty()) {
      var last = status.getRestartHistory().get(status.getRestartHistory().size() - 1);
      out = out.withRank(last.getRank(), last.getNode());
    }
    CheckpointStatus checkpoint = status.getLastCheckpoint();
    if (checkpoint != null && (type == JobLifecycleEvent.Type.Restarting || type == JobLifecycleEvent.Type.Resumed)) {
      out = out.withCheckpoint(checkpoint.getStep(), checkpoint.getPath());
    }
    publisher.publish(out);
  }
}
