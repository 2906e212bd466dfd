package dev.gangway.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Batches the reconciles of a big gang: one that comes within {@link #interval} of the job's previous reconcile waits
 * for its end, and takes every pod event of that time at once (the Job controller batches pod updates the same way).
 * A reconcile reads every rank, so a 2,000-rank gang whose pods change a hundred times a second would otherwise be read
 * whole after each change, on the cores its API server needs. Small gangs are not held back.
 */
final class ReconcileBatching {
  private static final Duration PER_RANK = Duration.ofNanos(500_000);
  static final Duration MAX_INTERVAL = Duration.ofSeconds(1);
  private final Map<String, Instant> lastByJobUid = new ConcurrentHashMap<>();

  /** The pause between reconciles of a gang of this size: none below 100 ranks, a second from 2,000. */
  static Duration interval(int replicas) {
    if (replicas < 100) {
      return Duration.ZERO;
    }
    Duration scaled = PER_RANK.multipliedBy(replicas);
    return scaled.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : scaled;
  }

  /** How long the job's reconcile should wait, or null to run now. */
  Duration wait(String jobUid, int replicas, Instant now) {
    Instant last = lastByJobUid.get(jobUid);
    if (last == null) {
      return null;
    }
    Instant due = last.plus(interval(replicas));
    return due.isAfter(now) ? Duration.between(now, due) : null;
  }

  /** A reconcile of the job ended now. */
  void ran(String jobUid, Instant now) {
    lastByJobUid.put(jobUid, now);
  }

  /** Forgets reconciles older than {@code age}: they no longer hold back any. */
  void forgetOlderThan(Duration age, Instant now) {
    Instant cutoff = now.minus(age);
    lastByJobUid.values().removeIf(at -> at.isBefore(cutoff));
  }
}
