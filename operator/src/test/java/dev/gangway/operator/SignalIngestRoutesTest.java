package dev.gangway.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.health.NodeHealthRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Checkpoint reports and health signals over HTTP land in the same stores the channels fill. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SignalIngestRoutesTest {

  @TestHTTPResource("/api/v1/checkpoints")
  URI checkpoints;

  @TestHTTPResource("/api/v1/node-health")
  URI nodeHealth;

  @Inject
  CheckpointInbox inbox;

  @Inject
  NodeHealthRegistry health;

  @Test
  void aCompleteReportIsAcceptedAndABadOneIsRefusedWithItsReason() throws Exception {
    String report = """
        {"namespace":"team-a","name":"llama","uid":"uid-http-1","attempt":1,"step":500,"path":"/ckpt/step-500"}""";
    HttpResponse<String> ok = post(checkpoints, report);
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(inbox.latest("uid-http-1")).hasValueSatisfying(r -> assertThat(r.path()).isEqualTo("/ckpt/step-500"));

    HttpResponse<String> bad = post(checkpoints, "{\"name\":\"llama\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("message");
  }

  @Test
  void aFatalHealthSignalMarksTheNode() throws Exception {
    String signal = "{\"node\":\"gpu-node-3\",\"severity\":\"Fatal\",\"reason\":\"XID 79\",\"time\":\"" + Instant.now() + "\"}";
    assertThat(post(nodeHealth, signal).statusCode()).isEqualTo(202);
    assertThat(health.isFatal("gpu-node-3", Instant.now())).isTrue();
  }

  private static HttpResponse<String> post(URI uri, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
