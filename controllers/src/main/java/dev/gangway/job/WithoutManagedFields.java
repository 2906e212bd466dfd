package dev.gangway.job;

import dev.gangway.cache.ReducingItemStore;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * An informer store that drops {@code metadata.managedFields} from what it keeps. Gangway never
 * reads them, and on the all-pods and all-nodes caches they are most of the memory and most of
 * the cost of comparing or hashing a cached object.
 */
final class WithoutManagedFields<T extends HasMetadata> extends ReducingItemStore<T> {

  WithoutManagedFields() {
    super(object -> {
      if (object.getMetadata() != null) {
        object.getMetadata().setManagedFields(null);
      }
      return object;
    });
  }
}
