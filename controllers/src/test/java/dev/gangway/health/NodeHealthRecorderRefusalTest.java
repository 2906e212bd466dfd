package dev.gangway.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.health.NodeHealthSignal.Severity;
import dev.gangway.checkin.IntakeAnswer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A channel consumer acknowledges a message unless the answer is retryable, and retries a retryable one until it
 * passes. So a write the API server refuses for what it is (an annotation over the size limit: 422) must be a final
 * answer, or one such message would stop the channel for good; a failure that may pass (500, 429, 403) stays retryable.
 */
@EnableKubernetesMockClient
class NodeHealthRecorderRefusalTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @ParameterizedTest(name = "the API server answers the patch with {0}: retryable={1}")
  @CsvSource({"422, false", "400, false", "413, false", "500, true", "429, true", "403, true"})
  void aRefusedWriteIsFinalAndAFailedOneRetryable(int code, boolean retryable) {
    String node = "gpu-" + code;
    server.expect().get().withPath("/api/v1/nodes/" + node)
        .andReturn(200, new NodeBuilder().withNewMetadata().withName(node).withResourceVersion("7").endMetadata().build()).always();
    server.expect().patch().withPath("/api/v1/nodes/" + node)
        .andReturn(code, new StatusBuilder().withCode(code).withMessage("refused on purpose").build()).always();

    IntakeAnswer answer;
    try (KubernetesClient once = withoutClientRetries()) {
      answer = new NodeHealthRecorder(once).record(new NodeHealthSignal(node, Severity.Fatal, "XID 79", Instant.now()));
    }

    assertThat(answer.recorded()).isFalse();
    assertThat(answer.retryable()).as(answer.toString()).isEqualTo(retryable);
    assertThat(answer.message()).contains("refused on purpose");
  }

  /** The client would retry a 500 or 429 itself, with backoff; the answer is what matters here. */
  private static KubernetesClient withoutClientRetries() {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build();
  }
}
