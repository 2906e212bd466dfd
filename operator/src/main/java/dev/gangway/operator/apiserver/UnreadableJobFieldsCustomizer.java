package dev.gangway.operator.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.cache.UnreadableJobFields;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Gives the operator's Kubernetes client {@link UnreadableJobFields}: a stored TrainingJob with a field out of its type's
 * range is read without it and fails with the field's name, instead of failing every list of TrainingJobs.
 */
@Singleton
public class UnreadableJobFieldsCustomizer implements KubernetesClientObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.registerModule(new UnreadableJobFields());
  }
}
