package dev.gangway.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.operator.ingest.LeaderForwarder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The check-in doors' limits on the running operator: a body over the size limit is 413, a client
 * over its rate is 429 with Retry-After, each with a JSON reason, and the job's status is untouched.
 * The limits are set small here (burst 3, one request a minute) so that the test can reach them.
 */
@QuarkusTest
@TestProfile(IntakeLimitsTest.SmallLimits.class)
@WithKubernetesTestServer(crud = true)
class IntakeLimitsTest {
  private static final int BURST = 3;

  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("gangway.intake.max-body-bytes", "4096", "gangway.intake.rate-limit.burst", String.valueOf(BURST),
          "gangway.intake.rate-limit.per-second", "0.0167");
    }
  }

  @TestHTTPResource("/api/v1/checkpoints")
  URI checkpoints;

  @TestHTTPResource("/api/v1/node-health")
  URI nodeHealth;

  @Inject
  KubernetesClient client;

  @KubernetesTestServer
  KubernetesServer server;

  @BeforeEach
  void reviewsAnswer() {
    FakeReviews.install(server);
  }

  @Test
  void aBodyOverTheLimitIs413WithAReasonAndNothingIsStored() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "limits", "big");
    String report = TestObjects.report(job, 1, 100);
    // A valid report padded with an unknown field past 4 KiB.
    String huge = report.substring(0, report.length() - 1) + ",\"padding\":\"" + "x".repeat(8 * 1024) + "\"}";

    HttpResponse<String> tooLarge = post(checkpoints, huge, TestObjects.rankToken(client, job), Map.of());

    assertThat(tooLarge.statusCode()).as(tooLarge.body()).isEqualTo(413);
    assertThat(tooLarge.headers().firstValue("content-type")).contains("application/json");
    assertThat(tooLarge.body()).contains("\"status\":413", "over 4096 bytes", "gangway.intake.max-body-bytes");
    assertThat(TestObjects.read(client, job).getStatus()).satisfiesAnyOf(
        s -> assertThat(s).isNull(), s -> assertThat(s.getLastCheckpoint()).isNull());

    HttpResponse<String> signal = post(nodeHealth, "{\"node\":\"" + "n".repeat(5000) + "\"}", FakeReviews.HEALTH_AGENT, Map.of());
    assertThat(signal.statusCode()).as(signal.body()).isEqualTo(413);
  }

  /**
   * The source bucket (every request from 127.0.0.1, token or not, is counted before review) and the
   * identity bucket at the leader (a request that says it was relayed skips the door's count but not
   * its sender's).
   */
  @Test
  void aClientOverItsRateIs429WithRetryAfterAndNothingIsStored() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "limits", "flood");
    String token = TestObjects.rankToken(client, job);
    // This class's other test may have used part of the source bucket: empty it with token-less requests (401).
    HttpResponse<String> last = null;
    for (int i = 0; i <= BURST; i++) {
      last = post(checkpoints, "{}", null, Map.of());
      if (last.statusCode() == 429) {
        break;
      }
      assertThat(last.statusCode()).as(last.body()).isEqualTo(401);
    }
    assertThat(last.statusCode()).isEqualTo(429);

    HttpResponse<String> flooded = post(checkpoints, TestObjects.report(job, 1, 100), token, Map.of());
    assertThat(flooded.statusCode()).as(flooded.body()).isEqualTo(429);
    assertThat(flooded.body()).contains("\"status\":429", "too many check-ins from 127.0.0.1", "retry after");
    assertThat(Long.parseLong(flooded.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 120L);
    assertThat(post(nodeHealth, "{}", FakeReviews.HEALTH_AGENT, Map.of()).statusCode()).as("one bucket for both doors").isEqualTo(429);

    // Claiming to be relayed skips the source count, but the leader counts the reviewed sender.
    Map<String, String> relayed = Map.of(LeaderForwarder.FORWARDED_BY, "someone");
    int stored = 0;
    HttpResponse<String> identity = null;
    for (int step = 1; step <= BURST + 1; step++) {
      identity = post(checkpoints, TestObjects.report(job, 1, 100 + step), token, relayed);
      if (identity.statusCode() == 200) {
        stored++;
      }
    }
    assertThat(stored).isEqualTo(BURST);
    assertThat(identity.statusCode()).as(identity.body()).isEqualTo(429);
    assertThat(identity.body()).contains("too many check-ins from system:serviceaccount:limits:default");
    assertThat(TestObjects.read(client, job).getStatus().getLastCheckpoint().getStep()).as("the refused report changed nothing")
        .isEqualTo(100L + BURST);
  }


  private static HttpResponse<String> post(URI uri, String body, String token, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
