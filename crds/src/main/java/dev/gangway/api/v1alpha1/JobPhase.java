package dev.gangway.api.v1alpha1;

/** Coarse lifecycle of a TrainingJob, shown in `kubectl get tj`. */
public enum JobPhase {
  /** Ranks are being created, placed or started. */
  Pending,
  /** Every rank is running. */
  Running,
  /** The gang is being torn down and started again after a failure. */
  Restarting,
  /** The job finished according to its success policy. */
  Succeeded,
  /** The job failed and will not be restarted; the Failed condition says why. */
  Failed,
  /** spec.suspend is true: no pods exist. */
  Suspended;

  public boolean isFinished() {
    return this == Succeeded || this == Failed;
  }
}
