package dev.gangway.pod;

/** What Gangway sees of one rank's pod in the current attempt. */
public enum RankPhase {
  /** No pod exists for the rank (never created, or deleted). */
  Missing,
  Pending,
  Running,
  Succeeded,
  Failed
}
