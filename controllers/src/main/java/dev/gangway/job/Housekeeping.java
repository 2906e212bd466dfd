package dev.gangway.job;

import dev.gangway.act.DaemonThreads;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller's periodic chores (gauge sweeps, dropping deleted jobs' decisions) and what else runs on threads of
 * its own, started and stopped with the controller. It is an event source only for that lifecycle: JOSDK starts it
 * after the informers and stops it with the operator, so an operator stopped (a test's, or an embedding application's)
 * leaves no thread behind ticking over stopped caches. It emits no event.
 */
final class Housekeeping extends AbstractEventSource<Void, TrainingJob> {
  private record Chore(Runnable task, Duration initialDelay, Duration period) {
  }

  private final List<Chore> chores = new ArrayList<>();
  private final List<Runnable> onStop = new ArrayList<>();
  private ScheduledExecutorService threads;

  Housekeeping(String name) {
    super(Void.class, name);
  }

  /** Runs {@code task} every {@code period} while the controller runs, the first time after {@code initialDelay}. */
  synchronized Housekeeping every(Duration period, Duration initialDelay, Runnable task) {
    chores.add(new Chore(task, initialDelay, period));
    if (threads != null) {
      schedule(chores.get(chores.size() - 1));
    }
    return this;
  }

  /** Runs {@code stop} when the controller stops: for a component that keeps threads of its own. */
  synchronized Housekeeping alsoStops(Runnable stop) {
    onStop.add(stop);
    return this;
  }

  @Override
  public synchronized void start() {
    if (threads == null) {
      threads = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("gangway-housekeeping"));
      chores.forEach(this::schedule);
    }
    super.start();
  }

  @Override
  public synchronized void stop() {
    super.stop();
    if (threads != null) {
      threads.shutdownNow();
      threads = null;
    }
    onStop.forEach(Runnable::run);
  }

  /** It has none: it is not a source of resources. */
  @Override
  public Set<Void> getSecondaryResources(TrainingJob job) {
    return Set.of();
  }

  private void schedule(Chore chore) {
    threads.scheduleWithFixedDelay(chore.task(), chore.initialDelay().toMillis(), chore.period().toMillis(), TimeUnit.MILLISECONDS);
  }
}
