package dev.gangway.api.v1alpha1;

/** What Gangway does with a failure a rule matched. */
public enum FailureAction {
  /** Tear down the gang and start a new attempt from the last complete checkpoint. */
  RestartFromCheckpoint,
  /** Fail the job at once, without restarting. */
  FailJob,
  /** Do nothing: the rank's exit does not affect the job. */
  Ignore
}
