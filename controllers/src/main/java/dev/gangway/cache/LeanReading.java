package dev.gangway.cache;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.WatchEvent;

/**
 * How the operator's client reads what the API server sends, for the cost of its all-pods watch: a restart of a
 * 96-rank gang brings several hundred pod events within two seconds, read one after another on the watch's thread while the
 * operator is writing the new attempt's pods, and a rank's pod is created only once its node's old pod is seen gone.
 * <ul>
 *   <li>a watch event's object is read straight into its class ({@link KindFirstDeserializer}), not into a tree first;
 *   <li>{@code metadata.managedFields} is skipped while reading, not built and then dropped: Gangway never reads it
 *       (its caches dropped it already), and on a pod it is the size of the spec again. Writing is unchanged: an
 *       update without managedFields leaves the stored ones as they are.
 * </ul>
 */
public final class LeanReading extends SimpleModule {

  public LeanReading() {
    super("gangway-lean-reading");
    setMixInAnnotation(WatchEvent.class, WatchEventObjectByKind.class);
    setMixInAnnotation(ObjectMeta.class, WithoutReadingManagedFields.class);
  }

  /** Replaces the field's {@code @JsonDeserialize(using = KubernetesDeserializer.class)}. */
  abstract static class WatchEventObjectByKind {
    @JsonDeserialize(using = KindFirstDeserializer.class)
    Object object;
  }

  @JsonIgnoreProperties(value = "managedFields", allowGetters = true)
  abstract static class WithoutReadingManagedFields {
  }
}
