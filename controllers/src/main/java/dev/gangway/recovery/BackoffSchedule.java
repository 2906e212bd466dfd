package dev.gangway.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Delay before a gang restart: {@code initial · 2^(n−1)} capped at {@code max}, where n is the
 * restart's place in the current streak of failures. A failure more than {@code resetAfter} after
 * the previous one starts a new streak, so a job that ran for hours between hardware faults is not
 * held back for the cap every time (the same idea as the kubelet's CrashLoopBackOff reset).
 */
public record BackoffSchedule(Duration initial, Duration max, Duration resetAfter) {

  public BackoffSchedule {
    if (initial.isNegative() || max.isNegative() || resetAfter.isNegative()) {
      throw new IllegalArgumentException("backoff durations must not be negative");
    }
  }

  /** Delay before the n-th restart of a streak, n ≥ 1. */
  public Duration delay(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("restart number must be at least 1, was " + n);
    }
    // 2^62 ms is beyond any cap; stop doubling before the shift overflows.
    long factor = n - 1 >= 62 ? Long.MAX_VALUE : 1L << (n - 1);
    long millis = initial.toMillis();
    long delay = millis != 0 && factor > Long.MAX_VALUE / millis ? Long.MAX_VALUE : millis * factor;
    return Duration.ofMillis(Math.min(delay, max.toMillis()));
  }

  /**
   * The place of a failure at {@code failure} in its streak.
   *
   * @param earlierFailures times of the previous failures, oldest first (status.restartHistory)
   */
  public int streak(Instant failure, List<Instant> earlierFailures) {
    int n = 1;
    Instant later = failure;
    for (int i = earlierFailures.size() - 1; i >= 0; i--) {
      Instant earlier = earlierFailures.get(i);
      if (earlier == null || Duration.between(earlier, later).compareTo(resetAfter) > 0) {
        break;
      }
      n++;
      later = earlier;
    }
    return n;
  }
}
