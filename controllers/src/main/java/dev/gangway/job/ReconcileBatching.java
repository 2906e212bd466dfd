package dev.gangway.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Batches the reconciles of a big gang: one that comes within {@link #interval} of the job's previous reconcile waits
 * for its end, and takes every pod event of that time at once (the Job controller batches pod updates the same way).
 * A reconcile reads every rank, so a 2,000-rank gang whose pods change a hundred times a second would otherwise be read
 * whole after each change, on the cores its API server needs. Small gangs are not held back.
 *
 * <p>Pod events inside a window are held here, before they reach the SDK ({@link #takes}): the SDK copies the whole
 * job (a JSON round trip of its status, 2,000 placed ranks) for every reconcile it starts, even one that only waits,
 * and that copy took 37 % of the operator's sampled Java time over a 2,000-rank start and two restarts. A held event
 * leaves one wake at the window's end instead.
 */
final class ReconcileBatching {
  private static final int FROM_RANKS = 100;
  private static final Duration PER_RANK = Duration.ofNanos(500_000);
  static final Duration MAX_INTERVAL = Duration.ofSeconds(1);

  /** A job's window, up to {@code end} from its last reconcile's end; {@code woken} once its end has a wake. */
  private record Window(Instant end, boolean woken) {
  }

  private final Map<String, Window> byJobUid = new ConcurrentHashMap<>();
  private final int fromRanks;
  private final Duration perRank;
  private final Duration maxInterval;

  /** Windows from 100 ranks, half a millisecond per rank, at most a second (from 2,000 ranks). */
  ReconcileBatching() {
    this(FROM_RANKS, PER_RANK, MAX_INTERVAL);
  }

  ReconcileBatching(int fromRanks, Duration perRank, Duration maxInterval) {
    this.fromRanks = fromRanks;
    this.perRank = perRank;
    this.maxInterval = maxInterval;
  }

  /** The pause between reconciles of a gang of this size: none below the smallest batched gang, then by rank. */
  Duration interval(int replicas) {
    if (replicas < fromRanks) {
      return Duration.ZERO;
    }
    Duration scaled = perRank.multipliedBy(replicas);
    return scaled.compareTo(maxInterval) > 0 ? maxInterval : scaled;
  }

  /** How long the job's reconcile should wait, or null to run now. */
  Duration wait(String jobUid, Instant now) {
    Window window = byJobUid.get(jobUid);
    return window != null && window.end().isAfter(now) ? Duration.between(now, window.end()) : null;
  }

  /**
   * Whether a pod event of the job should start a reconcile now. Inside the job's window it should not: the first such
   * event asks {@code wakeAfter} for one wake at the window's end (later ones in the same window ask for none), and
   * the reconcile that wake starts reads every pod as it is then.
   */
  boolean takes(String jobUid, Instant now, Consumer<Duration> wakeAfter) {
    while (true) {
      Window window = byJobUid.get(jobUid);
      if (window == null || !window.end().isAfter(now)) {
        return true;
      }
      if (window.woken()) {
        return false;
      }
      // A reconcile ending meanwhile opens a new window; look again rather than wake for the old one.
      if (byJobUid.replace(jobUid, window, new Window(window.end(), true))) {
        wakeAfter.accept(Duration.between(now, window.end()));
        return false;
      }
    }
  }

  /** A reconcile of the job, a gang of {@code replicas} ranks, ended now: its next window starts. */
  void ran(String jobUid, int replicas, Instant now) {
    byJobUid.put(jobUid, new Window(now.plus(interval(replicas)), false));
  }

  /** Forgets windows that ended more than {@code age} ago: they no longer hold back any. */
  void forgetOlderThan(Duration age, Instant now) {
    Instant cutoff = now.minus(age);
    byJobUid.values().removeIf(window -> window.end().isBefore(cutoff));
  }
}
