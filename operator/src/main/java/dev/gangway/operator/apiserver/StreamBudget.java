package dev.gangway.operator.apiserver;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * How many requests may be open on the API server connection at once. Over HTTP/2 every request in flight,
 * and every open watch, is a stream of one connection, and the API server allows a fixed number per
 * connection (about 100 by default, measured); java.net.http fails a request beyond it with "too many
 * concurrent streams" instead of waiting (JDK-8225647). So a request waits here for a place; never blocks
 * a thread: a waiter is a future the next {@link #release()} completes.
 */
final class StreamBudget {
  private final int limit;
  private final Executor handOff;
  private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private int open;

  /**
   * @param limit streams that may be open at once
   * @param handOff runs a waiter's continuation, so a request does not start on the thread that finished another
   *     (for java.net.http, its selector thread)
   */
  StreamBudget(int limit, Executor handOff) {
    if (limit < 1) {
      throw new IllegalArgumentException("a stream budget needs at least 1 stream, got " + limit);
    }
    this.limit = limit;
    this.handOff = handOff;
  }

  /** Completes once a stream is granted; each grant needs exactly one {@link #release()}. */
  CompletableFuture<Void> acquire() {
    synchronized (this) {
      if (open < limit) {
        open++;
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> waiter = new CompletableFuture<>();
      waiting.add(waiter);
      return waiter;
    }
  }

  /** Gives a granted stream back: to the longest waiter if there is one. */
  void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        open--;
        return;
      }
    }
    // A waiter its caller gave up on (cancelled) cannot take the stream: pass it on.
    handOff.execute(() -> {
      if (!next.complete(null)) {
        release();
      }
    });
  }

  synchronized int open() {
    return open;
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
