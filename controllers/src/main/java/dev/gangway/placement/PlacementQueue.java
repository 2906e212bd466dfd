package dev.gangway.placement;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which waiting gang may try to take capacity now. Gangs wait in order of priority (higher first),
 * then age (older first). A gang behind the head may backfill into free capacity while the head has
 * waited less than {@code backfillBound}; once the head has waited that long, nobody behind it is
 * placed until it is, so capacity drains to it as running jobs finish. Within a priority every gang
 * becomes the head in turn, so none starves. Thread-safe: reconciles of different jobs run concurrently.
 */
public final class PlacementQueue {

  /** A gang waiting for capacity. */
  public record Entry(String jobKey, int priority, Instant createdAt, Instant waitingSince) {
  }

  private static final Comparator<Entry> ORDER = Comparator.comparingInt((Entry e) -> -e.priority())
      .thenComparing(Entry::createdAt).thenComparing(Entry::jobKey);

  private final Duration backfillBound;
  private final Map<String, Entry> waiting = new HashMap<>();

  public PlacementQueue(Duration backfillBound) {
    this.backfillBound = backfillBound;
  }

  /**
   * Records the gang as waiting (keeping its original wait start) and answers whether it may try to
   * place now; when not, returns the gang it waits behind.
   */
  public synchronized Admission admit(String jobKey, int priority, Instant createdAt, Instant now) {
    Entry self = waiting.computeIfAbsent(jobKey, k -> new Entry(k, priority, createdAt, now));
    if (self.priority() != priority) {
      self = new Entry(jobKey, priority, createdAt, self.waitingSince());
      waiting.put(jobKey, self);
    }
    for (Entry ahead : waiting.values().stream().sorted(ORDER).toList()) {
      if (ahead.jobKey().equals(jobKey)) {
        return Admission.go();
      }
      if (!Duration.between(ahead.waitingSince(), now).minus(backfillBound).isNegative()) {
        return Admission.blockedBy(ahead);
      }
    }
    return Admission.go();
  }

  /** The gang was placed, finished, suspended or deleted: it no longer waits. */
  public synchronized void leave(String jobKey) {
    waiting.remove(jobKey);
  }

  public synchronized int size() {
    return waiting.size();
  }

  public synchronized List<Entry> snapshot() {
    return waiting.values().stream().sorted(ORDER).toList();
  }

  /** Whether a gang may try now, and if not which gang has priority over it. */
  public record Admission(boolean mayPlace, Entry blockedBy) {
    static Admission go() {
      return new Admission(true, null);
    }

    static Admission blockedBy(Entry head) {
      return new Admission(false, head);
    }
  }
}
