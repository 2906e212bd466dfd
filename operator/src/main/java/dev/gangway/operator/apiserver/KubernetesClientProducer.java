package dev.gangway.operator.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one Kubernetes client of the operator (informers, JOSDK, our writes), built from Quarkus's
 * {@link Config}. {@code gangway.kubernetes-client.http-client} picks its transport:
 * <ul>
 *   <li>{@code jdk} (default): java.net.http, HTTP/2: every request a stream of a connection the Lease renewals keep
 *       in use, at most {@code gangway.kubernetes-client.max-streams} per connection (the API server refuses more),
 *       another connection opened when those are in use;
 *   <li>{@code vertx}: Quarkus's own, HTTP/1.1: a TLS connection per request in flight, each closed after 60 s idle,
 *       so the first burst after a quiet minute (a restart hours into a run) opens them again.
 * </ul>
 */
@Singleton
public class KubernetesClientProducer {
  @Produces
  @Singleton
  KubernetesClient kubernetesClient(
      Config config,
      KubernetesSerialization serialization,
      MeterRegistry registry,
      @ConfigProperty(name = "gangway.kubernetes-client.http-client", defaultValue = "jdk") String httpClient,
      @ConfigProperty(name = "gangway.kubernetes-client.max-streams", defaultValue = "80") int maxStreams) {
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withKubernetesSerialization(serialization).withConfig(config);
    switch (httpClient) {
      case "vertx" -> { } // Quarkus's factory, the one the builder finds
      case "jdk" -> {
        StreamBudgetHttpClientFactory factory = new StreamBudgetHttpClientFactory(new JdkHttpClientFactory(), maxStreams);
        Gauge.builder("gangway.apiserver.connections", factory, StreamBudgetHttpClientFactory::connections)
            .description("HTTP/2 connections the operator opened to the API server (more than one: that many requests were in flight at once)")
            .register(registry);
        builder.withHttpClientFactory(factory);
      }
      default -> throw new IllegalArgumentException(
          "gangway.kubernetes-client.http-client is '" + httpClient + "'; use vertx or jdk");
    }
    return builder.build();
  }

  void close(@Disposes KubernetesClient client) {
    client.close();
  }
}
