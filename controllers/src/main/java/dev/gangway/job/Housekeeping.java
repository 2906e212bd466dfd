package dev.gangway.job;

import dev.gangway.act.DaemonThreads;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private static final String SHARED_THREAD = "gangway-housekeeping";

  private record Chore(String thread, Runnable task, Duration initialDelay, Duration period) {
  }

  private final List<Chore> chores = new ArrayList<>();
  private final List<Runnable> onStop = new ArrayList<>();
  /** By thread name, while started. */
  private final Map<String, ScheduledExecutorService> threads = new LinkedHashMap<>();
  private boolean started;

  Housekeeping(String name) {
    super(Void.class, name);
  }

  /** Runs {@code task} every {@code period} while the controller runs, the first time after {@code initialDelay}. */
  synchronized Housekeeping every(Duration period, Duration initialDelay, Runnable task) {
    return add(new Chore(SHARED_THREAD, task, initialDelay, period));
  }

  /**
   * As {@link #every}, on a thread of its own: for a chore that calls the API server, so that a server that hangs
   * holds up that chore only, not the in-memory sweeps and gauges on the shared thread.
   */
  synchronized Housekeeping everyOnItsOwnThread(String thread, Duration period, Duration initialDelay, Runnable task) {
    return add(new Chore(thread, task, initialDelay, period));
  }

  private Housekeeping add(Chore chore) {
    chores.add(chore);
    if (started) {
      schedule(chore);
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
    if (!started) {
      started = true;
      chores.forEach(this::schedule);
    }
    super.start();
  }

  @Override
  public synchronized void stop() {
    super.stop();
    started = false;
    threads.values().forEach(ScheduledExecutorService::shutdownNow);
    threads.clear();
    onStop.forEach(Runnable::run);
  }

  /** It has none: it is not a source of resources. */
  @Override
  public Set<Void> getSecondaryResources(TrainingJob job) {
    return Set.of();
  }

  private void schedule(Chore chore) {
    threads.computeIfAbsent(chore.thread(), name -> Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(name)))
        .scheduleWithFixedDelay(chore.task(), chore.initialDelay().toMillis(), chore.period().toMillis(), TimeUnit.MILLISECONDS);
  }
}
