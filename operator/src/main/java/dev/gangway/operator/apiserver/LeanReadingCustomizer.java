package dev.gangway.operator.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.cache.LeanReading;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives the operator's Kubernetes client {@link LeanReading}: watch events read straight into their class, managedFields
 * skipped. {@code gangway.kubernetes-client.lean-reading=false} reads as Fabric8 does by itself (to compare the two).
 */
@Singleton
public class LeanReadingCustomizer implements KubernetesClientObjectMapperCustomizer {
  private final boolean enabled;

  LeanReadingCustomizer(@ConfigProperty(name = "gangway.kubernetes-client.lean-reading", defaultValue = "true") boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public void customize(ObjectMapper mapper) {
    if (enabled) {
      mapper.registerModule(new LeanReading());
    }
  }
}
