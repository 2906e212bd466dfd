package dev.gangway.operator.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class KubernetesClientProducerTest {
  private final KubernetesClientProducer producer = new KubernetesClientProducer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443").build();

  @Test
  void jdkSendsEveryRequestThroughTheStreamBudget() {
    try (KubernetesClient client = producer.kubernetesClient(config, new KubernetesSerialization(), registry, "jdk", 80)) {
      assertThat(client.getHttpClient()).isInstanceOf(StreamBudgetHttpClient.class);
      assertThat(registry.get("gangway.apiserver.connections").gauge().value()).as("the first, opened with the client").isEqualTo(1.0);
    }
  }

  @Test
  void vertxIsAVertxClientWithoutABudget() {
    try (KubernetesClient client = producer.kubernetesClient(config, new KubernetesSerialization(), registry, "vertx", 80)) {
      assertThat(client.getHttpClient()).isNotInstanceOf(StreamBudgetHttpClient.class);
      assertThat(client.getHttpClient().getClass().getName()).contains("vertx");
    }
  }

  @Test
  void anUnknownTransportIsRefusedByName() {
    assertThatThrownBy(() -> producer.kubernetesClient(config, new KubernetesSerialization(), registry, "okhttp", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gangway.kubernetes-client.http-client is 'okhttp'; use vertx or jdk");
  }
}
