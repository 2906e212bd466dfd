package dev.gangway.job;

import dev.gangway.act.DaemonThreads;
import dev.gangway.placement.QueueWakeups;
import dev.gangway.placement.QueuedGang;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the gangs waiting for capacity when some is freed ({@link dev.gangway.placement.ClusterCache}'s news), as
 * Kueue requeues its workloads, instead of leaving them to their retry timer: which ones is {@link QueueWakeups}'s
 * decision. The news arrives on the informer's thread under the cache's lock, often a burst of it (every rank of a
 * finished gang); it is handed to one thread of its own, and a burst that arrives while a round is pending or running
 * makes at most one more round.
 */
final class FreedCapacityWakeups {
  private static final Logger LOG = LoggerFactory.getLogger(FreedCapacityWakeups.class);
  /** Gangs decided again per round at most: what one freed pod may cost, however long the queue. */
  static final int LIMIT = 16;

  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile Round round;
  private volatile ExecutorService rounds;

  /**
   * What one round reads and does.
   *
   * @param waiting the placement queue as stored ({@link dev.gangway.decide.WaitingGangs})
   * @param freeGpus GPUs free in the cluster now
   * @param mayWrite whether this replica leads (a follower wakes nobody)
   * @param wake triggers a reconcile of the job
   * @param woken told how many jobs a round woke
   */
  record Round(Supplier<List<QueuedGang>> waiting, LongSupplier freeGpus, Supplier<Boolean> mayWrite, Consumer<ResourceID> wake,
               Consumer<Integer> woken) {
  }

  /** From now on, freed capacity wakes gangs; before this it is ignored (the event sources are not there yet). */
  synchronized void start(Round round) {
    if (rounds == null) {
      rounds = Executors.newSingleThreadExecutor(DaemonThreads.named("gangway-queue-wakeups"));
    }
    this.round = round;
  }

  /** From now on freed capacity is ignored again, and the round's thread ends. */
  synchronized void stop() {
    round = null;
    if (rounds != null) {
      rounds.shutdownNow();
      rounds = null;
    }
    pending.set(false);
  }

  /** Capacity may have been freed. Cheap: called under the cluster cache's lock. */
  void freed() {
    ExecutorService executor = rounds;
    if (round != null && executor != null && pending.compareAndSet(false, true)) {
      try {
        executor.execute(this::wakeRound);
      } catch (RejectedExecutionException stopped) {
        pending.set(false); // stopped meanwhile
      }
    }
  }

  private void wakeRound() {
    pending.set(false);
    Round r = round;
    if (r == null) {
      return; // stopped
    }
    try {
      if (!r.mayWrite().get()) {
        return;
      }
      List<String> keys = QueueWakeups.toWake(r.waiting().get(), r.freeGpus().getAsLong(), LIMIT);
      keys.forEach(key -> {
        int slash = key.indexOf('/');
        r.wake().accept(new ResourceID(key.substring(slash + 1), key.substring(0, slash)));
      });
      r.woken().accept(keys.size());
    } catch (RuntimeException e) {
      // The gangs still retry on their timer; a failed round must not stop the next one.
      LOG.warn("Waking the gangs waiting for capacity failed", e);
    }
  }
}
