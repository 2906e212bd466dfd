package dev.gangway.api.v1alpha1;

/** When a job counts as succeeded. */
public enum SuccessPolicy {
  /** Every rank exited with code 0. */
  AllRanks,
  /** Rank 0 exited with code 0; the other ranks are then stopped. */
  RankZero
}
