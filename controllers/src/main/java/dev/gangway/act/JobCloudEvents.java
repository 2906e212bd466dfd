package dev.gangway.act;

import dev.gangway.decide.JobEvent;
import dev.gangway.decide.JobStatusMachine;
import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.events.JobCloudEventPublisher;
import dev.gangway.events.JobCloudEvent;
import java.time.Instant;
import java.util.Map;

/** Turns the Kubernetes Events a transition produced into CloudEvents on the job-events channel. */
public final class JobCloudEvents {
  private static final Map<String, JobCloudEvent.Type> BY_REASON = Map.ofEntries(
      Map.entry("Started", JobCloudEvent.Type.Admitted),
      Map.entry("Resumed", JobCloudEvent.Type.Resumed),
      Map.entry("Placed", JobCloudEvent.Type.Placed),
      Map.entry("Running", JobCloudEvent.Type.Running),
      Map.entry(JobStatusMachine.REASON_RANK_FAILED, JobCloudEvent.Type.RankFailed),
      Map.entry(JobStatusMachine.REASON_RESTARTED_IN_PLACE, JobCloudEvent.Type.RestartedInPlace),
      Map.entry("Restarting", JobCloudEvent.Type.Restarting),
      Map.entry("Succeeded", JobCloudEvent.Type.Succeeded),
      Map.entry(JobStatusMachine.REASON_INVALID_SPEC, JobCloudEvent.Type.Failed),
      Map.entry("RestartLimitExceeded", JobCloudEvent.Type.Failed),
      Map.entry("PermanentFailure", JobCloudEvent.Type.Failed));

  private JobCloudEvents() {
  }

  public static void publish(JobCloudEventPublisher publisher, TrainingJob job, TrainingJobStatus status, JobEvent event, Instant now) {
    JobCloudEvent.Type type = BY_REASON.get(event.reason());
    if (type == null) {
      return;
    }
    int attempt = status.getAttempt() == null ? 1 : status.getAttempt();
    JobCloudEvent out = JobCloudEvent.of(type, job, attempt, now).withReason(event.reason(), event.message());
    boolean aboutAFailure = type == JobCloudEvent.Type.RankFailed || type == JobCloudEvent.Type.Restarting;
    if (aboutAFailure && status.getRestartHistory() != null && !status.getRestartHistory().isEmpty()) {
      var last = status.getRestartHistory().get(status.getRestartHistory().size() - 1);
      out = out.withRank(last.getRank(), last.getNode());
    }
    CheckpointStatus checkpoint = status.getLastCheckpoint();
    if (checkpoint != null && (type == JobCloudEvent.Type.Restarting || type == JobCloudEvent.Type.Resumed)) {
      out = out.withCheckpoint(checkpoint.getStep(), checkpoint.getPath());
    }
    publisher.publish(out);
  }
}
