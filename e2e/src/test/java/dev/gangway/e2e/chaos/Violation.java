package dev.gangway.e2e.chaos;

import java.time.Instant;

/**
 * One broken guarantee, precise enough to chase: which invariant, which job, rank and attempt
 * (null where they do not apply), when it was seen and the evidence (the objects involved).
 */
public record Violation(Invariant invariant, Instant at, String job, Integer rank, Integer attempt, String evidence) {

  /** Seen again in a later snapshot, the same violation is reported once: this is what makes it the same. */
  public String key() {
    return invariant + " " + job + " r" + rank + " a" + attempt;
  }

  @Override
  public String toString() {
    return invariant + " at " + at + " job=" + job + (rank == null ? "" : " rank=" + rank) + (attempt == null ? "" : " attempt=" + attempt)
        + ": " + evidence;
  }
}
