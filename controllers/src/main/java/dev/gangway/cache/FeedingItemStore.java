package dev.gangway.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.function.Consumer;

/**
 * An informer store that hands every change to a listener as it takes it, inside the informer's own update of its
 * cache (which holds the cache's lock): whoever reads the cache afterwards finds the listener already told, which
 * an event handler, called later from the informer's queue, cannot promise.
 */
public class FeedingItemStore<T extends HasMetadata> extends ForwardingItemStore<T> {
  private final Consumer<T> put;
  private final Consumer<T> removed;

  /**
   * @param put told of each object stored (added or changed), as the store keeps it
   * @param removed told of each object removed (deleted, or gone at a relist)
   */
  public FeedingItemStore(ItemStore<T> store, Consumer<T> put, Consumer<T> removed) {
    super(store);
    this.put = put;
    this.removed = removed;
  }

  @Override
  public T put(String key, T object) {
    T before = store.put(key, object);
    put.accept(store.get(key));
    return before;
  }

  @Override
  public T remove(String key) {
    T before = store.remove(key);
    if (before != null) {
      removed.accept(before);
    }
    return before;
  }
}
