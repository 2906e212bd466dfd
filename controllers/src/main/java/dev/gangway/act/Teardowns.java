package dev.gangway.act;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes whole attempts in the background. Deleting a 128-rank gang takes the API server seconds;
 * the reconcile goes on (creating the next attempt's pods, deciding its placement) instead of
 * waiting. One deletion per attempt is under way at a time; one that fails is retried by a later
 * reconcile, which still sees the pods alive.
 */
final class Teardowns {
  private static final Logger LOG = LoggerFactory.getLogger(Teardowns.class);
  private static final ExecutorService DELETERS = Executors.newCachedThreadPool(DaemonThreads.named("gangway-teardown"));

  private final Set<String> underWay = ConcurrentHashMap.newKeySet();

  /** Starts the deletion of {@code key} (namespace/job/attempt) unless it is under way already. */
  void start(String key, Runnable delete) {
    if (!underWay.add(key)) {
      return;
    }
    CompletableFuture.runAsync(delete, DELETERS).whenComplete((done, error) -> {
      underWay.remove(key);
      if (error != null) {
        LOG.warn("Deleting the pods of {} failed (a later reconcile retries): {}", key, error.toString());
      }
    });
  }
}
