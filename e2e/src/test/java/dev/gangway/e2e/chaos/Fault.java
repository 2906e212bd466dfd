package dev.gangway.e2e.chaos;

import java.time.Duration;

/**
 * One fault of the seeded schedule. The target is not named in advance (which jobs run where is
 * only known at run time): {@code pick} chooses among the eligible targets in a stable order when
 * the fault is due, so the same seed aims the same way at the same cluster state.
 *
 * @param at     offset from the start of the run
 * @param pick   non-negative; the index (modulo the number of candidates) of the target to hit
 * @param hold   how long the fault lasts before it is undone (node back, replica restarted, signal cleared)
 */
public record Fault(Duration at, FaultKind kind, int pick, Duration hold) {
  public Fault {
    if (pick < 0) {
      throw new IllegalArgumentException("pick must be >= 0: " + pick);
    }
  }

  /** The candidate a fault hits among {@code candidates} (sorted by the caller). */
  public int choose(int candidates) {
    if (candidates <= 0) {
      throw new IllegalArgumentException("no candidates to choose from");
    }
    return pick % candidates;
  }
}
