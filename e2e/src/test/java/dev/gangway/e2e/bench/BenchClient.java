package dev.gangway.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmarks' own API client (Fabric8) on the admin kubeconfig: it creates what a run measures and
 * reads TrainingJobs without a kubectl process per call, whose start-up would blur the timings.
 */
public final class BenchClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;

  private BenchClient(KubernetesClient client) {
    this.client = client;
  }

  public static BenchClient of(Path kubeconfig) {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      config.setRequestTimeout(60_000);
      return new BenchClient(new KubernetesClientBuilder().withConfig(config).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public KubernetesClient kubernetes() {
    return client;
  }

  /** Creates the object of a YAML or JSON manifest (a TrainingJob, a Job, a Pod) in the namespace. */
  public void create(String namespace, String manifest) {
    client.resource(manifest).inNamespace(namespace).create();
  }

  /** The TrainingJob as JSON ({@code status.attempt}, {@code status.excludedNodes}, …); missing node if it does not exist. */
  public JsonNode trainingJob(String namespace, String name) {
    GenericKubernetesResource job = client.genericKubernetesResources("gangway.dev/v1alpha1", "TrainingJob").inNamespace(namespace)
        .withName(name).get();
    try {
      return job == null ? JSON.missingNode() : JSON.readTree(client.getKubernetesSerialization().asJson(job));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void deleteTrainingJob(String namespace, String name) {
    client.genericKubernetesResources("gangway.dev/v1alpha1", "TrainingJob").inNamespace(namespace).withName(name).delete();
  }

  /** Sets one annotation on a pod with a single merge patch (KWOK's fault stages react to it). */
  public void annotatePod(String namespace, String pod, String key, String value) {
    client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE),
        JSON.createObjectNode().set("metadata", JSON.createObjectNode().set("annotations", JSON.createObjectNode().put(key, value)))
            .toString());
  }

  @Override
  public void close() {
    client.close();
  }
}
