package dev.gangway.goodput;

import dev.gangway.api.v1alpha1.GoodputLossStatus;
import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.pod.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One job's goodput, carried forward from one status write to the next: the time since the last
 * update is charged to the {@link Bucket} the job was in, and an attempt that stops running moves its
 * failure's share out of useful training. Pure: no I/O, time passed in, immutable.
 *
 * <p>What counts as useful, as in the simulator: running time an accepted checkpoint keeps (or the job's
 * end), plus — so far — the running attempt's time since its last checkpoint ({@link #sinceCheckpoint()}),
 * which a failure then moves to {@link Bucket#LOST_WORK}. Checkpoint writes and slow placement (buckets the
 * simulator has) are not visible to the operator and stay in useful time.
 *
 * <p>Conservation: held is by construction the sum of the buckets, so it equals useful plus every loss exactly.
 */
public final class GoodputAccount {
  /** The buckets the operator fills, in the order status.goodput lists them. */
  public static final java.util.List<Bucket> OBSERVED =
      java.util.List.of(Bucket.USEFUL, Bucket.LOST_WORK, Bucket.DETECTION, Bucket.RESTART, Bucket.WAITING_CAPACITY);

  private final Map<Bucket, Long> gpuSeconds;
  private final long sinceCheckpoint;
  private final Instant updated;

  private GoodputAccount(Map<Bucket, Long> gpuSeconds, long sinceCheckpoint, Instant updated) {
    this.gpuSeconds = gpuSeconds;
    this.sinceCheckpoint = sinceCheckpoint;
    this.updated = updated;
  }

  /** An empty account whose counting starts at {@code now} (the gang was just placed). */
  public static GoodputAccount opened(Instant now) {
    Map<Bucket, Long> zero = new EnumMap<>(Bucket.class);
    OBSERVED.forEach(b -> zero.put(b, 0L));
    return new GoodputAccount(zero, 0, now);
  }

  /** The account as status.goodput stored it; a missing or malformed update time counts from {@code fallback}. */
  public static GoodputAccount of(GoodputStatus status, Instant fallback) {
    GoodputAccount account = opened(fallback);
    GoodputLossStatus lost = status.getLostGpuSeconds() == null ? new GoodputLossStatus() : status.getLostGpuSeconds();
    account.gpuSeconds.put(Bucket.USEFUL, orZero(status.getUsefulGpuSeconds()));
    account.gpuSeconds.put(Bucket.LOST_WORK, orZero(lost.getLostWork()));
    account.gpuSeconds.put(Bucket.DETECTION, orZero(lost.getDetection()));
    account.gpuSeconds.put(Bucket.RESTART, orZero(lost.getRestart()));
    account.gpuSeconds.put(Bucket.WAITING_CAPACITY, orZero(lost.getWaitingForCapacity()));
    Instant updated = Timestamps.parseOr(status.getUpdatedTime(), fallback);
    return new GoodputAccount(account.gpuSeconds, orZero(status.getSinceCheckpointGpuSeconds()), updated);
  }

  /**
   * Charges the time from the last update to {@code now} to {@code bucket}; null means the job held no
   * GPUs meanwhile (queued before its first placement, suspended, finished): time passes uncharged.
   * A clock that went backwards charges nothing and keeps the later time.
   */
  public GoodputAccount charge(Bucket bucket, int gpus, Instant now) {
    Map<Bucket, Long> next = new EnumMap<>(gpuSeconds);
    if (bucket != null) {
      next.merge(bucket, gpuSeconds(gpus, updated, now), Long::sum);
    }
    return new GoodputAccount(next, sinceCheckpoint, now.isAfter(updated) ? now : updated);
  }

  /**
   * The attempt stopped running at {@code now} and the time up to now was charged as useful: its
   * failure's share moves out of useful — detection (failure → noticed), restart (noticed → now), and the
   * work since its last checkpoint (checkpoint or start → failure). A move never takes more than useful holds.
   */
  public GoodputAccount end(AttemptEnd end, int gpus, Instant now) {
    Instant running = end.runningSince() == null ? updated : end.runningSince();
    Instant failed = clamp(end.failedAt() == null ? now : end.failedAt(), running, now);
    Instant detected = clamp(end.detectedAt() == null ? now : end.detectedAt(), failed, now);
    Instant workFrom = clamp(end.lastCheckpoint() == null ? running : end.lastCheckpoint(), running, failed);
    Map<Bucket, Long> next = new EnumMap<>(gpuSeconds);
    move(next, Bucket.DETECTION, gpuSeconds(gpus, failed, detected));
    move(next, Bucket.RESTART, gpuSeconds(gpus, detected, now));
    move(next, Bucket.LOST_WORK, gpuSeconds(gpus, workFrom, failed));
    return new GoodputAccount(next, 0, updated);
  }

  /**
   * The running attempt's processes were restarted inside their pods at {@code restartedAt} and resumed from the
   * checkpoint of {@code resumedFrom} (null: the attempt's start): the training between the two, charged as useful,
   * moves to {@link Bucket#LOST_WORK}. The crash, its detection and the restart itself fall somewhere in that span and
   * cannot be told apart from inside the pods, so the whole span counts as lost work. Clamped as {@link #end} is: into
   * the running attempt, and never past {@code keptAt} (the report's own checkpoint, after the restart) or the last
   * update, so kept work never falls.
   */
  public GoodputAccount restartedInPlace(Instant runningSince, Instant resumedFrom, Instant restartedAt, Instant keptAt, int gpus) {
    Instant running = runningSince == null ? updated : runningSince;
    Instant until = keptAt != null && keptAt.isBefore(updated) ? keptAt : updated;
    Instant from = clamp(resumedFrom == null ? running : resumedFrom, running, until);
    Map<Bucket, Long> next = new EnumMap<>(gpuSeconds);
    move(next, Bucket.LOST_WORK, gpuSeconds(gpus, from, clamp(restartedAt, from, until)));
    return new GoodputAccount(next, Math.min(sinceCheckpoint, next.get(Bucket.USEFUL)), updated);
  }

  /**
   * The running attempt's work since its last checkpoint (or its start), the part of useful a failure
   * would lose; zero when the job is not running.
   */
  public GoodputAccount running(Instant runningSince, Instant lastCheckpoint, int gpus, Instant now) {
    if (runningSince == null) {
      return new GoodputAccount(gpuSeconds, 0, updated);
    }
    Instant from = clamp(lastCheckpoint == null ? runningSince : lastCheckpoint, runningSince, now);
    long since = Math.min(gpuSeconds.get(Bucket.USEFUL), gpuSeconds(gpus, from, now));
    return new GoodputAccount(gpuSeconds, since, updated);
  }

  public long get(Bucket bucket) {
    return gpuSeconds.getOrDefault(bucket, 0L);
  }

  public long held() {
    return gpuSeconds.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Useful over held, or null before the job has held a GPU-second. */
  public Double ratio() {
    long held = held();
    return held == 0 ? null : Math.round(get(Bucket.USEFUL) * 10_000.0 / held) / 10_000.0;
  }

  public long sinceCheckpoint() {
    return sinceCheckpoint;
  }

  /** Useful training already kept by a checkpoint (or the job's end): it never decreases, unlike useful so far. */
  public long kept() {
    return get(Bucket.USEFUL) - sinceCheckpoint;
  }

  public Instant updated() {
    return updated;
  }

  public GoodputStatus toStatus() {
    GoodputStatus status = new GoodputStatus();
    status.setRatio(ratio());
    status.setHeldGpuSeconds(held());
    status.setUsefulGpuSeconds(get(Bucket.USEFUL));
    status.setSinceCheckpointGpuSeconds(sinceCheckpoint);
    GoodputLossStatus lost = new GoodputLossStatus();
    lost.setLostWork(get(Bucket.LOST_WORK));
    lost.setDetection(get(Bucket.DETECTION));
    lost.setRestart(get(Bucket.RESTART));
    lost.setWaitingForCapacity(get(Bucket.WAITING_CAPACITY));
    status.setLostGpuSeconds(lost);
    status.setUpdatedTime(updated.toString());
    return status;
  }

  private static void move(Map<Bucket, Long> buckets, Bucket to, long amount) {
    long moved = Math.min(amount, buckets.get(Bucket.USEFUL));
    buckets.merge(Bucket.USEFUL, -moved, Long::sum);
    buckets.merge(to, moved, Long::sum);
  }

  /** GPUs times the seconds between two instants, rounded; zero when {@code to} is not after {@code from}. */
  private static long gpuSeconds(int gpus, Instant from, Instant to) {
    long millis = Duration.between(from, to).toMillis();
    return millis <= 0 ? 0 : Math.round(millis * (double) gpus / 1000.0);
  }

  private static Instant clamp(Instant t, Instant lowest, Instant highest) {
    if (t.isBefore(lowest)) {
      return lowest.isAfter(highest) ? highest : lowest;
    }
    return t.isAfter(highest) ? highest : t;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : Math.max(0, value);
  }
}
