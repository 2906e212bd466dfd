package dev.gangway.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.health.NodeHealthRecorder;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.leadership.Leadership;
import dev.gangway.operator.ingest.LeaderForwarder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP doors: on the leader a check-in is in the API server before it is answered 2xx; a
 * follower relays it to the leader named in the Lease and relays the answer; without a reachable
 * leader the answer is 503 with Retry-After, and nothing is stored. The API server's token and
 * access reviews are played by {@link FakeReviews}; the real ones are exercised in e2e.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SignalIngestRoutesTest {
  private static final String LEASE = "gangway-operator-lease";

  @TestHTTPResource("/api/v1/checkpoints")
  URI checkpoints;

  @TestHTTPResource("/api/v1/node-health")
  URI nodeHealth;

  @Inject
  KubernetesClient client;

  @KubernetesTestServer
  KubernetesServer server;

  @Inject
  Leadership leadership;

  @Inject
  CheckpointInbox inbox;

  @Inject
  NodeHealthRegistry health;

  @BeforeEach
  void reviewsAnswer() {
    FakeReviews.install(server);
  }

  @AfterEach
  void leadAgainWithoutALease() {
    client.leases().inNamespace("default").withName(LEASE).delete();
    leadership.startLeading();
  }

  @Test
  void theLeaderStoresAReportAsLastCheckpointBeforeAnswering200() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "team-a", "llama");

    HttpResponse<String> ok = post(checkpoints, TestObjects.report(job, 1, 500), TestObjects.rankToken(client, job));

    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).contains("step 500");
    // Read straight after the answer: already stored, not eventually.
    var stored = TestObjects.read(client, job).getStatus().getLastCheckpoint();
    assertThat(stored.getStep()).isEqualTo(500L);
    assertThat(stored.getPath()).isEqualTo("/ckpt/step-500");
    assertThat(stored.getAttempt()).isEqualTo(1);
    assertThat(inbox.latest(job.getMetadata().getUid())).hasValueSatisfying(r -> assertThat(r.step()).isEqualTo(500L));
  }

  @Test
  void aStaleReportIs409WithTheReasonAnUnknownJob404AndAMalformedOne400() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "team-a", "stale");
    String token = TestObjects.rankToken(client, job);
    assertThat(post(checkpoints, TestObjects.report(job, 1, 700), token).statusCode()).isEqualTo(200);

    HttpResponse<String> sameStep = post(checkpoints, TestObjects.report(job, 1, 700), token);
    assertThat(sameStep.statusCode()).isEqualTo(409);
    assertThat(sameStep.body()).contains("not beyond the last accepted step 700");
    HttpResponse<String> laterAttempt = post(checkpoints, TestObjects.report(job, 2, 800), token);
    assertThat(laterAttempt.statusCode()).isEqualTo(409);
    assertThat(laterAttempt.body()).contains("attempt 2");
    assertThat(TestObjects.read(client, job).getStatus().getLastCheckpoint().getStep()).isEqualTo(700L);

    HttpResponse<String> otherJob = post(checkpoints, """
        {"namespace":"team-a","name":"nobody","uid":"u-1","attempt":1,"step":1,"path":"/c"}""", token);
    assertThat(otherJob.statusCode()).isEqualTo(403);
    assertThat(otherJob.body()).contains("is a rank of TrainingJob team-a/stale").contains("not of TrainingJob team-a/nobody");

    HttpResponse<String> bad = post(checkpoints, "{\"name\":\"llama\"}", token);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("is missing");
  }

  @Test
  void theLeaderKeepsAFatalSignalOnTheNodeBeforeAnswering200() throws Exception {
    TestObjects.node(client, "gpu-node-3");
    Instant seen = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    HttpResponse<String> ok = post(nodeHealth, signal("gpu-node-3", "Fatal", seen), FakeReviews.HEALTH_AGENT);

    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    String kept = client.nodes().withName("gpu-node-3").get().getMetadata().getAnnotations().get(NodeHealthRecorder.ANNOTATION);
    assertThat(kept).contains("\"severity\":\"Fatal\"").contains("XID 79").contains(seen.toString());
    assertThat(health.fatalSignal("gpu-node-3", seen.plusSeconds(1))).isPresent();

    HttpResponse<String> unknown = post(nodeHealth, signal("no-such-node", "Fatal", seen), FakeReviews.HEALTH_AGENT);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no Node no-such-node");
  }

  @Test
  void noTokenIs401ABadToken401AnUngrantedSender403AndNothingIsStored() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "team-a", "guarded");
    TestObjects.node(client, "gpu-node-5");

    HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(checkpoints).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(TestObjects.report(job, 1, 10))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(none.body()).contains("\"status\":401").contains("no bearer token");

    HttpResponse<String> forged = post(checkpoints, TestObjects.report(job, 1, 10), "forged");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).contains("not accepted").contains(FakeReviews.REFUSAL);

    HttpResponse<String> notBound = post(checkpoints, TestObjects.report(job, 1, 10), FakeReviews.HEALTH_AGENT);
    assertThat(notBound.statusCode()).isEqualTo(403);
    assertThat(notBound.body()).contains("not bound to a pod");

    HttpResponse<String> rankSignals = post(nodeHealth, signal("gpu-node-5", "Fatal", Instant.now()), TestObjects.rankToken(client, job));
    assertThat(rankSignals.statusCode()).isEqualTo(403);
    assertThat(rankSignals.body()).contains("may not report node health").contains("nodehealthsignals");

    assertThat(TestObjects.read(client, job).getStatus() == null ? null : TestObjects.read(client, job).getStatus().getLastCheckpoint())
        .isNull();
    assertThat(client.nodes().withName("gpu-node-5").get().getMetadata().getAnnotations()).doesNotContainKey(NodeHealthRecorder.ANNOTATION);
  }

  /**
   * Seeded fuzzing through the HTTP door, as a caller with a valid token: truncated, bit-flipped,
   * re-typed and oversized bodies. Every answer is a 2xx or 4xx with a JSON message, never a 5xx
   * (nothing here makes the API server unavailable); an oversized body is 413.
   */
  @Test
  void malformedBodiesAreAnsweredWithA4xxAndAReasonNeverA5xx() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "team-f", "fuzzed");
    String token = TestObjects.rankToken(client, job);
    String valid = TestObjects.report(job, 1, 10);
    java.util.Random random = new java.util.Random(Long.getLong("gangway.fuzz.seed", 20261202L));
    java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    for (int i = 0; i < 300; i++) {
      String body = switch (random.nextInt(5)) {
        case 0 -> valid.substring(0, random.nextInt(valid.length()));
        case 1 -> {
          char[] chars = valid.toCharArray();
          int at = random.nextInt(chars.length);
          chars[at] = (char) (chars[at] ^ (1 << random.nextInt(7)));
          yield new String(chars);
        }
        case 2 -> valid.replace("\"step\":10", "\"step\":" + List.of("\"ten\"", "-5", "1e400", "null", "[]", "{}").get(random.nextInt(6)));
        case 3 -> valid.replace("/ckpt/step-10", List.of("../../etc", "\\u0000", "é中", "").get(random.nextInt(4)));
        default -> "{\"namespace\":" + "[".repeat(random.nextInt(3000)) + "}";
      };
      URI door = random.nextBoolean() ? checkpoints : nodeHealth;
      HttpResponse<String> answer = post(door, body, door == checkpoints ? token : FakeReviews.HEALTH_AGENT);
      statuses.merge(answer.statusCode(), 1, Integer::sum);
      assertThat(answer.statusCode()).as("%s <- %s", answer.body(), body).isBetween(200, 499);
      assertThat(answer.body()).as(body).contains("\"message\":");
    }
    System.out.printf("[fuzz] HTTP door: 300 bodies, answers by status %s%n", statuses);

    HttpResponse<String> huge = post(checkpoints, valid.replace("/ckpt/step-10", "x".repeat(70 * 1024)), token);
    assertThat(huge.statusCode()).isEqualTo(413);
  }

  @Test
  void aFollowerRelaysTheCheckInToTheLeaderNamedInTheLeaseAndRelaysItsAnswer() throws Exception {
    TrainingJob job = TestObjects.trainingJob(client, "team-b", "relayed");
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer leader = fakeLeader(409, "{\"status\":409,\"message\":\"the leader says: stale\"}", received);
    try {
      leaseHeldBy("gangway-leader-77@127.0.0.1:" + leader.getAddress().getPort());
      leadership.stopLeading();

      HttpResponse<String> answer = post(checkpoints, TestObjects.report(job, 1, 900), "pod:team-b:someones-pod:p-1");

      assertThat(answer.statusCode()).isEqualTo(409);
      assertThat(answer.body()).contains("the leader says: stale");
      assertThat(received).singleElement().satisfies(r -> assertThat(r).contains("\"step\":900").contains("forwarded-by=")
          .doesNotContain("forwarded-by=null").as("the sender's token, for the leader to review").contains("authorization=Bearer pod:team-b:someones-pod:p-1"));
      assertThat(TestObjects.read(client, job).getStatus() == null ? null : TestObjects.read(client, job).getStatus().getLastCheckpoint())
          .as("a follower writes nothing").isNull();
    } finally {
      leader.stop(0);
    }
  }

  @Test
  void withoutALeaderTheAnswerIs503WithRetryAfterAndNothingIsStored() throws Exception {
    TestObjects.node(client, "gpu-node-9");
    leadership.stopLeading();

    HttpResponse<String> noLease = post(nodeHealth, signal("gpu-node-9", "Fatal", Instant.now()), FakeReviews.HEALTH_AGENT);
    assertThat(noLease.statusCode()).isEqualTo(503);
    assertThat(noLease.headers().firstValue("Retry-After")).contains("1");
    assertThat(noLease.body()).contains("no leader");

    leaseHeldBy("gangway-gone-1@127.0.0.1:" + closedPort());
    HttpResponse<String> unreachable = post(nodeHealth, signal("gpu-node-9", "Fatal", Instant.now()), FakeReviews.HEALTH_AGENT);
    assertThat(unreachable.statusCode()).isEqualTo(503);
    assertThat(unreachable.headers().firstValue("Retry-After")).contains("1");
    assertThat(unreachable.body()).contains("unreachable");

    leaseHeldBy("gangway-old-1");
    assertThat(post(nodeHealth, signal("gpu-node-9", "Fatal", Instant.now()), FakeReviews.HEALTH_AGENT).body()).contains("names no address");

    assertThat(client.nodes().withName("gpu-node-9").get().getMetadata().getAnnotations()).doesNotContainKey(NodeHealthRecorder.ANNOTATION);
  }

  @Test
  void aFollowerDoesNotForwardARequestAnotherReplicaForwarded() throws Exception {
    leaseHeldBy("gangway-someone-1@127.0.0.1:" + closedPort());
    leadership.stopLeading();
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(nodeHealth)
        .header("content-type", "application/json").header(LeaderForwarder.FORWARDED_BY, "gangway-other-2@127.0.0.1:1")
        .header("Authorization", "Bearer " + FakeReviews.HEALTH_AGENT)
        .POST(HttpRequest.BodyPublishers.ofString(signal("gpu-node-1", "Fatal", Instant.now()))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.body()).contains("not the leader");
  }

  private void leaseHeldBy(String holder) {
    client.resource(new LeaseBuilder().withNewMetadata().withName(LEASE).withNamespace("default").endMetadata()
        .withNewSpec().withHolderIdentity(holder).endSpec().build()).createOr(r -> r.update());
  }

  /** Answers every POST with the given status and body, recording "body forwarded-by=header". Stopped by the test. */
  private static HttpServer fakeLeader(int status, String body, List<String> received) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) + " forwarded-by="
          + exchange.getRequestHeaders().getFirst(LeaderForwarder.FORWARDED_BY) + " authorization="
          + exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return server;
  }

  /** A loopback port nothing listens on (bound, then released). */
  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String signal(String node, String severity, Instant time) {
    return "{\"node\":\"" + node + "\",\"severity\":\"" + severity + "\",\"reason\":\"XID 79\",\"time\":\"" + time + "\"}";
  }


  private static HttpResponse<String> post(URI uri, String body, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
