package dev.gangway.e2e.chaos;

/** The guarantees of issue 10 the chaos run checks; each violation names one. */
public enum Invariant {
  /** Two live pods for one (job, rank, attempt). */
  DUPLICATE_RANK_POD,
  /** A pod of an old attempt Running while a rank of a newer attempt of the same job Runs. */
  OLD_ATTEMPT_BESIDE_NEW,
  /** A pod of a deleted job still exists 60 s after the delete. */
  DELETED_JOB_POD_LEFT,
  /** The live pods bound or reserved on a node want more GPUs than it has. */
  GPU_DOUBLE_BOOKED,
  /** A check-in answered 2xx is not in status.lastCheckpoint (nor a later one) within its bound. */
  CHECKIN_LOST,
  /** status.restarts or status.infrastructureRestarts differs from the restarts the injected faults imply. */
  RESTARTS_MISCOUNTED,
  /** The job did not reach the terminal state its faults imply within the bound (lost, stuck or wrong). */
  WRONG_OUTCOME,
  /** A write to the API server by an operator replica that did not hold the Lease at that instant (audit log). */
  NON_LEADER_WRITE
}
