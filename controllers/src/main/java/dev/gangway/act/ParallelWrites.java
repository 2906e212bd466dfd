package dev.gangway.act;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Issues one API write per rank concurrently: a 128-rank gang is 128 creates, patches or deletes,
 * and doing them one by one makes start-up and recovery time grow with the gang. Bounded, so a
 * large gang does not flood the API server.
 */
final class ParallelWrites {
  private static final ExecutorService WRITERS = Executors.newFixedThreadPool(16, DaemonThreads.named("gangway-writer"));

  private ParallelWrites() {
  }

  /** Applies the write to every item and waits for all; the first failure is rethrown after all finished. */
  static <T> void forEach(Collection<T> items, Consumer<T> write) {
    if (items.size() <= 1) {
      items.forEach(write);
      return;
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>(items.size());
    for (T item : items) {
      writes.add(CompletableFuture.runAsync(() -> write.accept(item), WRITERS));
    }
    try {
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }
}
