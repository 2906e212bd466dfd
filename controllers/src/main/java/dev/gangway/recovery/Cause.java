package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.FailureAction;

/**
 * Why a rank failed, as far as Gangway can tell from Kubernetes. Decides the default action, which
 * restart budget a restart draws on, and whether the node is to blame.
 */
public enum Cause {
  /** The node was deleted or stayed NotReady past the grace period. */
  NodeLost(true, true, FailureAction.RestartFromCheckpoint),
  /** A fatal health signal (XID, ECC, link down) or Gangway's health taint on the node. */
  NodeUnhealthy(true, true, FailureAction.RestartFromCheckpoint),
  /** Evicted, preempted or shut down with the node (pod condition DisruptionTarget, reason Evicted, …). */
  PodDisrupted(true, false, FailureAction.RestartFromCheckpoint),
  /** Killed (exit 137/143) while its node was NotReady: the node was going down. */
  NodeNotReady(true, true, FailureAction.RestartFromCheckpoint),
  /** The container could not start or the program cannot run: restarting will not help. */
  PermanentError(false, false, FailureAction.FailJob),
  /** The container ran out of memory. */
  OOMKilled(false, false, FailureAction.RestartFromCheckpoint),
  /** Any other non-zero exit: a crash of the training code, or hardware it could not tell apart. */
  RankFailed(false, true, FailureAction.RestartFromCheckpoint),
  /** Still running on a NotReady node within the grace period: not a failure yet. */
  NodeNotReadyWithinGrace(false, false, FailureAction.Ignore);

  private final boolean infrastructure;
  private final boolean nodeAttributable;
  private final FailureAction defaultAction;

  Cause(boolean infrastructure, boolean nodeAttributable, FailureAction defaultAction) {
    this.infrastructure = infrastructure;
    this.nodeAttributable = nodeAttributable;
    this.defaultAction = defaultAction;
  }

  /** Restarts for this cause count against maxInfrastructureRestarts, not maxRestarts. */
  public boolean infrastructure() {
    return infrastructure;
  }

  /**
   * The node may be at fault: the job avoids it next time and the cross-job tracker counts it. A
   * plain crash counts too, because GPU faults often surface as a crash of the training process.
   */
  public boolean nodeAttributable() {
    return nodeAttributable;
  }

  public FailureAction defaultAction() {
    return defaultAction;
  }

  /** Matched by a rule's {@code onNodeFailure}. */
  public boolean nodeFailure() {
    return this == NodeLost || this == NodeUnhealthy || this == NodeNotReady;
  }
}
