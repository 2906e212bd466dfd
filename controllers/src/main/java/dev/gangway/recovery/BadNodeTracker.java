package dev.gangway.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts node-attributable failures per node across jobs and flags a node once it has
 * {@code threshold} of them within {@code window}: one job's crash may be its own bug, the same
 * node failing several gangs is the node. A flagged node is for the caller to taint or cordon.
 * No I/O, time passed in; thread-safe because every job's reconcile reports here.
 */
public final class BadNodeTracker {
  private record Hit(Instant time, String job) {
  }

  private final int threshold;
  private final Duration window;
  private final Map<String, Deque<Hit>> hits = new HashMap<>();
  private final Set<String> flagged = new HashSet<>();

  public BadNodeTracker(int threshold, Duration window) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1, was " + threshold);
    }
    this.threshold = threshold;
    this.window = window;
  }

  /**
   * Records a classified failure if its cause may be the node's fault. One job counts once per node
   * however often it fails there: a job that keeps crashing there (its own bug; a crash does not
   * exclude the node, see {@link Cause#excludesNode}) must not get a healthy node flagged on its own.
   *
   * @return true when this failure flags the node (it was not flagged before)
   */
  public boolean record(Classification c, String jobUid) {
    String node = c.failure().node().name();
    if (!c.cause().nodeAttributable() || node == null) {
      return false;
    }
    return recordFailure(node, jobUid, c.failure().time());
  }

  /** @param failure identifies who failed (the job) so that it is counted once per node */
  private synchronized boolean recordFailure(String node, String failure, Instant time) {
    Deque<Hit> recent = hits.computeIfAbsent(node, n -> new ArrayDeque<>());
    prune(recent, time);
    // The newest failure of each job counts, so a job that fails there again stays counted for the whole window.
    recent.removeIf(h -> h.job().equals(failure));
    recent.addLast(new Hit(time, failure));
    if (recent.size() >= threshold) {
      return flagged.add(node);
    }
    return false;
  }

  public synchronized boolean isFlagged(String node) {
    return flagged.contains(node);
  }

  /** Flagged nodes, sorted. A flag stays until {@link #clear}: the node needs a person or a repair signal. */
  public synchronized Set<String> flagged() {
    return new TreeSet<>(flagged);
  }

  /** Failures of the node counted within the window ending at {@code now}. */
  public synchronized int failures(String node, Instant now) {
    Deque<Hit> recent = hits.get(node);
    if (recent == null) {
      return 0;
    }
    prune(recent, now);
    return recent.size();
  }

  /**
   * Flags a node without failures counted here: a flag this or an earlier process set and kept on the node (its
   * {@code gangway.dev/flagged} label), so that a restart or a new leader keeps the node avoided.
   *
   * @return true when the node was not flagged before
   */
  public synchronized boolean restore(String node) {
    return flagged.add(node);
  }

  /** Forgets the node's failures and flag, e.g. after it was repaired. */
  public synchronized void clear(String node) {
    hits.remove(node);
    flagged.remove(node);
  }

  private void prune(Deque<Hit> recent, Instant now) {
    Instant cutoff = now.minus(window);
    recent.removeIf(h -> h.time().isBefore(cutoff));
  }
}
