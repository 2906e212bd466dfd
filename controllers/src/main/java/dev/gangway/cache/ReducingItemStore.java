package dev.gangway.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * An informer store that keeps each object as {@code reduce} leaves it: only what the reader of
 * that cache needs, so caches of every pod or node of a large cluster stay small.
 */
public class ReducingItemStore<T extends HasMetadata> extends ForwardingItemStore<T> {
  private final UnaryOperator<T> reduce;

  /** @param reduce may change the object it is given, or return a smaller copy */
  public ReducingItemStore(UnaryOperator<T> reduce) {
    super(new BasicItemStore<>(Cache::metaNamespaceKeyFunc));
    this.reduce = reduce;
  }

  @Override
  public T put(String key, T object) {
    return store.put(key, reduce.apply(object));
  }
}
