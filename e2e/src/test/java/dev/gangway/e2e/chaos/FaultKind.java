package dev.gangway.e2e.chaos;

/**
 * The faults of the chaos run, what each is aimed at and what it should do to a job it hits: the
 * expectation the run's verdict is measured against.
 */
public enum FaultKind {
  /** A rank exits 1: the job's own crash, restarted against maxRestarts. */
  RETRYABLE_EXIT(Target.RANK, Effect.RESTART),
  /** A rank exits 127 (command not found): the job fails. */
  PERMANENT_EXIT(Target.RANK, Effect.FAIL),
  /** A rank exits 137 with reason OOMKilled on a healthy node: restarted against maxRestarts. */
  OOM_EXIT(Target.RANK, Effect.RESTART),
  /**
   * A node NotReady for less than the operator's grace period, then Ready again: nothing happens. A
   * blip that lasted half the grace or more (the machine was too slow to end it) may end either way.
   */
  NODE_NOT_READY_BLIP(Target.NODE, Effect.NONE),
  /**
   * A node NotReady past the grace period, and Ready again once its jobs have moved: they restart
   * elsewhere (infrastructure).
   */
  NODE_NOT_READY(Target.NODE, Effect.INFRASTRUCTURE_RESTART),
  /** A node deleted, and re-registered (a replaced machine) once its jobs have moved: they restart elsewhere. */
  NODE_DELETED(Target.NODE, Effect.INFRASTRUCTURE_RESTART),
  /** A Fatal node-health signal POSTed to one of the two replicas (chosen by the seed); Cleared once its jobs have moved. */
  NODE_HEALTH_FATAL(Target.NODE, Effect.INFRASTRUCTURE_RESTART),
  /** SIGKILL of the replica holding the Lease, restarted a few seconds later. */
  KILL_LEADER(Target.REPLICA, Effect.NONE),
  /** SIGKILL of the replica not holding the Lease, restarted a few seconds later. */
  KILL_FOLLOWER(Target.REPLICA, Effect.NONE),
  /** kube-apiserver stopped and started again. */
  RESTART_APISERVER(Target.CONTROL_PLANE, Effect.NONE),
  /** kube-scheduler stopped and started again. */
  RESTART_SCHEDULER(Target.CONTROL_PLANE, Effect.NONE);

  /** What a fault is aimed at; the runner binds it to a real object when it is due. */
  public enum Target { RANK, NODE, REPLICA, CONTROL_PLANE }

  /** What a job hit by the fault must go through. */
  public enum Effect {
    /** Nothing: the job keeps its attempt and counters. */
    NONE,
    /** One gang restart charged to spec.failurePolicy.maxRestarts. */
    RESTART,
    /** One gang restart charged to spec.failurePolicy.maxInfrastructureRestarts. */
    INFRASTRUCTURE_RESTART,
    /** The job ends Failed. */
    FAIL
  }

  private final Target target;
  private final Effect effect;

  FaultKind(Target target, Effect effect) {
    this.target = target;
    this.effect = effect;
  }

  public Target target() {
    return target;
  }

  public Effect effect() {
    return effect;
  }

  /** A fault that starts a new attempt of the job it hits, so recovery time can be measured. */
  public boolean restarts() {
    return effect == Effect.RESTART || effect == Effect.INFRASTRUCTURE_RESTART;
  }
}
