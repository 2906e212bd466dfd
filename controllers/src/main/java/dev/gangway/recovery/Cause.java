package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.FailureAction;

/**
 * Why a rank failed, as far as Gangway can tell from Kubernetes. Decides the default action, which
 * restart budget a restart draws on, and whether the node is to blame.
 */
public enum Cause {
  /** The node was deleted or stayed NotReady past the grace period. */
  NodeLost(true, true, true, FailureAction.RestartFromCheckpoint),
  /** A fatal health signal (XID, ECC, link down) or Gangway's health taint on the node. */
  NodeUnhealthy(true, true, true, FailureAction.RestartFromCheckpoint),
  /** Evicted, preempted or shut down with the node (pod condition DisruptionTarget, reason Evicted, …). */
  PodDisrupted(true, false, false, FailureAction.RestartFromCheckpoint),
  /** Killed (exit 137/143) while its node was NotReady: the node was going down. */
  NodeNotReady(true, true, true, FailureAction.RestartFromCheckpoint),
  /** The container could not start or the program cannot run: restarting will not help. */
  PermanentError(false, false, false, FailureAction.FailJob),
  /** The container ran out of memory: its limit is the program's, whichever node it runs on. */
  OOMKilled(false, false, false, FailureAction.RestartFromCheckpoint),
  /** Any other non-zero exit: a crash of the training code, or hardware it could not tell apart. */
  RankFailed(false, true, false, FailureAction.RestartFromCheckpoint),
  /** Still running on a NotReady node within the grace period: not a failure yet. */
  NodeNotReadyWithinGrace(false, false, false, FailureAction.Ignore);

  private final boolean infrastructure;
  private final boolean nodeAttributable;
  private final boolean excludesNode;
  private final FailureAction defaultAction;

  Cause(boolean infrastructure, boolean nodeAttributable, boolean excludesNode, FailureAction defaultAction) {
    this.infrastructure = infrastructure;
    this.nodeAttributable = nodeAttributable;
    this.excludesNode = excludesNode;
    this.defaultAction = defaultAction;
  }

  /** Restarts for this cause count against maxInfrastructureRestarts, not maxRestarts. */
  public boolean infrastructure() {
    return infrastructure;
  }

  /**
   * The node may be at fault: the cross-job {@link BadNodeTracker} counts it. A plain crash counts
   * too, because GPU faults often surface as a crash of the training process; several jobs failing
   * on one node tell the node's fault from a job's bug.
   */
  public boolean nodeAttributable() {
    return nodeAttributable;
  }

  /**
   * The node is known to be at fault (Kubernetes or a health agent says so), so the job excludes it
   * for a while (spec.failurePolicy.excludeFailedNodes). Not a plain crash: one job's crash is as
   * likely its own bug, and excluding for every crash starves a long job of nodes. Not an OOM kill:
   * the memory limit is the program's.
   */
  public boolean excludesNode() {
    return excludesNode;
  }

  public FailureAction defaultAction() {
    return defaultAction;
  }

  /** Matched by a rule's {@code onNodeFailure}. */
  public boolean nodeFailure() {
    return this == NodeLost || this == NodeUnhealthy || this == NodeNotReady;
  }
}
