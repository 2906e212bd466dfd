package dev.gangway.checkpoint;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;

/**
 * Decides whether a checkpoint report may become the job's {@code status.lastCheckpoint}, the
 * checkpoint the next attempt resumes from. Pure. A report is accepted only when it is for this job
 * (same uid: a deleted and re-created job of the same name must not resume from its predecessor's
 * checkpoints), from the current attempt (a torn-down attempt may still be writing), and for a
 * step beyond the last accepted one.
 */
public final class CheckpointLedger {

  private CheckpointLedger() {
  }

  /** The outcome: either the new lastCheckpoint or why the report was not taken. */
  public sealed interface Verdict {
    boolean accepted();
  }

  public record Accepted(CheckpointStatus lastCheckpoint) implements Verdict {
    @Override
    public boolean accepted() {
      return true;
    }
  }

  public record Rejected(String reason) implements Verdict {
    @Override
    public boolean accepted() {
      return false;
    }
  }

  /**
   * @param jobUid metadata.uid of the job as it is now
   * @param currentAttempt status.attempt of the job as it is now
   * @param lastAccepted status.lastCheckpoint, null when none was accepted yet
   */
  public static Verdict judge(CheckpointReport report, String jobUid, int currentAttempt, CheckpointStatus lastAccepted) {
    if (!report.uid().equals(jobUid)) {
      return new Rejected("report is for uid " + report.uid() + " but TrainingJob " + report.job() + " has uid " + jobUid
          + " (a deleted and re-created job?)");
    }
    if (report.attempt() > currentAttempt) {
      return new Rejected("report is from attempt " + report.attempt() + " but the job is on attempt " + currentAttempt);
    }
    if (report.attempt() < currentAttempt) {
      return new Rejected("report is from attempt " + report.attempt() + ", which was torn down; the job is on attempt "
          + currentAttempt);
    }
    if (lastAccepted != null && lastAccepted.getStep() != null && report.step() <= lastAccepted.getStep()) {
      return new Rejected("step " + report.step() + " is not beyond the last accepted step " + lastAccepted.getStep());
    }
    return new Accepted(toStatus(report, lastAccepted));
  }

  /** Judges the report against the job as read from the API server (attempt 1 and no checkpoint before its first status). */
  public static Verdict judge(CheckpointReport report, TrainingJob job) {
    TrainingJobStatus status = job.getStatus();
    int attempt = status == null || status.getAttempt() == null ? 1 : status.getAttempt();
    return judge(report, job.getMetadata().getUid(), attempt, status == null ? null : status.getLastCheckpoint());
  }

  static CheckpointStatus toStatus(CheckpointReport report, CheckpointStatus lastAccepted) {
    CheckpointStatus status = new CheckpointStatus();
    status.setStep(report.step());
    status.setPath(report.path());
    status.setTime(report.time() == null ? null : report.time().toString());
    status.setAttempt(report.attempt());
    status.setInPlaceRestarts(report.inPlaceRestarts() > 0 ? report.inPlaceRestarts() : null);
    if (report.inPlaceRestartTime() != null) {
      status.setInPlaceRestartTime(report.inPlaceRestartTime().toString());
      status.setResumedFromTime(resumedFrom(report, lastAccepted));
    }
    return status;
  }

  /**
   * The time of the checkpoint the processes restarted in place resumed from: the attempt's last accepted one when the
   * report is the first to count this restart; the one already recorded when it counts the same restart again.
   */
  private static String resumedFrom(CheckpointReport report, CheckpointStatus lastAccepted) {
    if (lastAccepted == null || lastAccepted.getAttempt() == null || lastAccepted.getAttempt() != report.attempt()) {
      return null;
    }
    int known = lastAccepted.getInPlaceRestarts() == null ? 0 : lastAccepted.getInPlaceRestarts();
    if (report.inPlaceRestarts() > known) {
      return lastAccepted.getTime();
    }
    boolean sameRestart = report.inPlaceRestarts() == known && report.inPlaceRestartTime().toString().equals(lastAccepted.getInPlaceRestartTime());
    return sameRestart ? lastAccepted.getResumedFromTime() : null;
  }
}
