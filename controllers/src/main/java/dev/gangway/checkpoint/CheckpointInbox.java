package dev.gangway.checkpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest checkpoint report received for each job uid, between the {@code checkpoints} channel
 * and the job reconciler. Thread-safe. Keeps only the newest report per job: newest is the highest
 * (attempt, step), so a late report of an older attempt never hides the current one. The reconciler
 * still judges {@link #latest} with {@link CheckpointLedger} against the job's status.
 */
public final class CheckpointInbox {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointInbox.class);

  /** What became of an offered report. */
  public record Offer(boolean accepted, String reason) {
    static final Offer ACCEPTED = new Offer(true, null);

    static Offer rejected(String reason) {
      return new Offer(false, reason);
    }
  }

  private final Map<String, CheckpointReport> latest;
  private final CopyOnWriteArrayList<Consumer<ResourceRef>> listeners = new CopyOnWriteArrayList<>();

  /** @param capacity jobs remembered at most; the job heard from least recently is dropped first */
  public CheckpointInbox(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.latest = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, CheckpointReport> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Called with the job after each accepted report, outside any lock. */
  public void addListener(Consumer<ResourceRef> listener) {
    listeners.add(listener);
  }

  public Offer offer(CheckpointReport report) {
    synchronized (this) {
      CheckpointReport previous = latest.get(report.uid());
      if (previous != null && !newer(report, previous)) {
        return Offer.rejected("attempt " + report.attempt() + " step " + report.step() + " is not newer than the report already "
            + "held for " + report.job() + " (attempt " + previous.attempt() + " step " + previous.step() + ")");
      }
      latest.put(report.uid(), report);
    }
    for (Consumer<ResourceRef> listener : listeners) {
      try {
        listener.accept(report.job());
      } catch (RuntimeException e) {
        LOG.warn("Checkpoint listener failed for {}", report.job(), e);
      }
    }
    return Offer.ACCEPTED;
  }

  public synchronized Optional<CheckpointReport> latest(String uid) {
    return Optional.ofNullable(latest.get(uid));
  }

  /** Every report held, e.g. to record them durably when this replica starts leading. */
  public synchronized List<CheckpointReport> all() {
    return List.copyOf(latest.values());
  }

  /** Drops what is held for a job, e.g. once it is deleted. */
  public synchronized void forget(String uid) {
    latest.remove(uid);
  }

  private static boolean newer(CheckpointReport candidate, CheckpointReport held) {
    return candidate.attempt() != held.attempt() ? candidate.attempt() > held.attempt() : candidate.step() > held.step();
  }
}
