package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Puts back what the node faults changed, each when its hold is over, on threads of its own: the
 * run's tick loop can be held for 20 s by an API server restart, and a 3 s NotReady blip undone
 * that late is no blip. An undo that fails (the API server is down) is tried again every second
 * until it succeeds, and each fault reports how long it really lasted.
 */
final class FaultUndoer implements AutoCloseable {
  private static final Duration RETRY = Duration.ofSeconds(1);
  /** After this long an undo is given up on and logged: the run's verdict then says why a job did not recover. */
  private static final Duration GIVE_UP = Duration.ofMinutes(5);

  /** One undo: true once what the fault changed is back (and, for a node, seen back). */
  private record Pending(Instant injectedAt, BooleanSupplier undo, Consumer<Duration> lasted, ScheduledFuture<?>[] next) {
  }

  /**
   * Several threads: a held fault polls the API server every second until its jobs moved on, and on
   * one thread those polls queued a 3 s blip's undo for 20 s.
   */
  private final ScheduledExecutorService thread = Executors.newScheduledThreadPool(4, r -> {
    Thread t = new Thread(r, "chaos-undo");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Consumer<String> log;

  FaultUndoer(Consumer<String> log) {
    this.log = log;
  }

  /**
   * Undoes {@code what} (one key per object under fault) {@code hold} after {@code injectedAt}.
   *
   * @param lasted told how long the fault lasted, from injection until the undo succeeded
   */
  void schedule(String what, Instant injectedAt, Duration hold, BooleanSupplier undo, Consumer<Duration> lasted) {
    Pending p = new Pending(injectedAt, undo, lasted, new ScheduledFuture<?>[1]);
    pending.put(what, p);
    p.next()[0] = thread.schedule(() -> attempt(what, p), Math.max(0, Duration.between(Instant.now(), injectedAt.plus(hold)).toMillis()),
        TimeUnit.MILLISECONDS);
  }

  /** No fault is waiting to be undone. */
  boolean idle() {
    return pending.isEmpty();
  }

  /** At the end of the run: everything still under fault is put back now, on the caller's thread. */
  void undoAllNow() {
    for (Map.Entry<String, Pending> e : Map.copyOf(pending).entrySet()) {
      e.getValue().next()[0].cancel(false);
      Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
      while (!e.getValue().undo().getAsBoolean() && Instant.now().isBefore(deadline)) {
        Replicas.sleep(RETRY);
      }
      finish(e.getKey(), e.getValue());
    }
  }

  private void attempt(String what, Pending p) {
    if (!pending.containsKey(what)) {
      return;
    }
    if (p.undo().getAsBoolean()) {
      finish(what, p);
    } else if (Instant.now().isAfter(p.injectedAt().plus(GIVE_UP))) {
      pending.remove(what);
      log.accept("could not undo the fault on " + what + " within " + GIVE_UP.toMinutes() + " min: left as it is");
    } else {
      p.next()[0] = thread.schedule(() -> attempt(what, p), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void finish(String what, Pending p) {
    if (pending.remove(what) != null) {
      p.lasted().accept(Duration.between(p.injectedAt(), Instant.now()));
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
