package dev.gangway.sim.accounting;

import dev.gangway.goodput.Bucket;
import java.util.EnumMap;
import java.util.Map;

/**
 * One job's time by {@link Bucket}, in milliseconds. The sum of the buckets is the job's elapsed time,
 * exactly: callers charge every span once, and work in progress is held apart ({@link #pending}) until
 * a checkpoint keeps it or a failure loses it.
 */
public final class Ledger {

  private final long[] millis = new long[Bucket.values().length];
  private long pending;

  public void charge(Bucket b, long ms) {
    if (ms < 0) throw new IllegalArgumentException("negative span " + ms + " ms for " + b);
    millis[b.ordinal()] += ms;
  }

  /** Progress made and not yet kept or lost. */
  public long pending() {
    return pending;
  }

  public void progress(long ms) {
    if (ms < 0) throw new IllegalArgumentException("negative progress " + ms);
    pending += ms;
  }

  /** A checkpoint (or the job's end) keeps the pending progress. */
  public long keep() {
    long p = pending;
    charge(Bucket.USEFUL, p);
    pending = 0;
    return p;
  }

  /** A failure loses the pending progress. */
  public long lose() {
    long p = pending;
    charge(Bucket.LOST_WORK, p);
    pending = 0;
    return p;
  }

  public long get(Bucket b) {
    return millis[b.ordinal()];
  }

  /** Every bucket plus the pending progress. */
  public long total() {
    long t = pending;
    for (long m : millis) t += m;
    return t;
  }

  public Map<Bucket, Long> asMap() {
    Map<Bucket, Long> m = new EnumMap<>(Bucket.class);
    for (Bucket b : Bucket.values()) m.put(b, millis[b.ordinal()]);
    return m;
  }
}
