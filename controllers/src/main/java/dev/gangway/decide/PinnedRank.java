package dev.gangway.decide;

/**
 * A rank pod to create already carrying its placement: pinned to its node by required node affinity, with the
 * reserved-node annotation that holds the node's capacity in every other gang's snapshot. One write per rank. A rank
 * whose node a pod of the job's previous attempt still holds is not created until that pod is gone
 * ({@link GangPlacementStep}): kube-scheduler never sees a rank it cannot bind yet.
 */
public record PinnedRank(int rank, String node) {
}
