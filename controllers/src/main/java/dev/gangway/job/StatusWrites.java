package dev.gangway.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this replica last wrote each job's status, so progress-only changes can be paced
 * ({@link dev.gangway.decide.ProgressPacing}). In memory: a new leader starts with none and writes its first change at
 * once. Entries older than any pacing interval are dropped, so deleted jobs leave nothing behind.
 */
final class StatusWrites {
  private final Map<String, Instant> lastByJobUid = new ConcurrentHashMap<>();

  void wrote(String jobUid, Instant at) {
    lastByJobUid.put(jobUid, at);
  }

  /** When the job's status was last written here, or null. */
  Instant last(String jobUid) {
    return lastByJobUid.get(jobUid);
  }

  /** Forgets writes older than {@code age}: they no longer hold back any write. */
  void forgetOlderThan(Duration age, Instant now) {
    Instant cutoff = now.minus(age);
    lastByJobUid.values().removeIf(at -> at.isBefore(cutoff));
  }
}
