package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two packaged operator processes with leader election, as the chart runs them, and check-ins sent
 * to the follower (the chart's Service sends to both): the follower relays them to the leader, which
 * stores them in the API server before answering, acts on them, and the follower writes nothing.
 * Each replica writes with its own user agent, so an object's managedFields name the replica that
 * wrote it.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class CheckInFollowerE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final E2eEnvironment env;
  private final ClusterUnderTest cluster;
  private Kube kube;
  private OperatorProcess second;

  CheckInFollowerE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.clusterUnderTest();
  }

  @BeforeEach
  void twoReplicas() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube = Kube.inFreshNamespace(cluster, "checkin");
    if (!env.operator().isAlive()) {
      env.restartOperator();
    }
    // Same lease as the shared operator (the packaged defaults): one of the two leads.
    second = env.startOperator("second-replica", Map.of());
  }

  @AfterEach
  void oneReplica() {
    if (second == null) {
      return; // skipped
    }
    second.close();
    if (!env.operator().isAlive()) {
      env.restartOperator();
    }
    kube.deleteNamespace(WAIT);
  }

  @Test
  void checkInsSentToTheFollowerAreStoredAndActedOnByTheLeaderAndTheFollowerWritesNothing() throws Exception {
    OperatorProcess leader = awaitLeader();
    OperatorProcess follower = leader == second ? env.operator() : second;

    kube.apply(Manifests.trainingJob("relay", 2, 8, Manifests.failurePolicy("maxRestarts: 3", 1)));
    await("relay Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("relay")).as(() -> kube.describe("relay"))
        .isEqualTo("Running"));
    String uid = kube.get("tj", "relay").path("metadata").path("uid").asText();

    // A checkpoint report: 200 only once it is the job's lastCheckpoint in the API server — read right after, no waiting.
    // Sent as a rank sends it, with the token bound to its pod; the follower relays the token and the leader reviews it.
    String rank = Intake.rankToken(cluster, kube.namespace(), "relay");
    HttpResponse<String> stored = post(follower, "/api/v1/checkpoints", JSON.createObjectNode().put("namespace", kube.namespace())
        .put("name", "relay").put("uid", uid).put("attempt", 1).put("step", 4200).put("path", "/ckpt/relay/step-4200"), rank);
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
    assertThat(kube.get("tj", "relay").path("status").path("lastCheckpoint").path("path").asText()).isEqualTo("/ckpt/relay/step-4200");
    HttpResponse<String> stale = post(follower, "/api/v1/checkpoints", JSON.createObjectNode().put("namespace", kube.namespace())
        .put("name", "relay").put("uid", uid).put("attempt", 1).put("step", 4100).put("path", "/ckpt/relay/step-4100"), rank);
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
    assertThat(stale.body()).contains("not beyond the last accepted step 4200");

    String sick = kube.pods("relay").stream().filter(p -> p.path("metadata").path("labels").path("gangway.dev/rank").asInt() == 1)
        .findFirst().orElseThrow().path("spec").path("nodeName").asText();
    try {
      // A Fatal signal: kept on the Node before 200, then the leader moves the gang off the node.
      HttpResponse<String> fatal = postNodeHealth(follower, sick, "Fatal", "XID 79");
      assertThat(fatal.statusCode()).as(fatal.body()).isEqualTo(200);
      assertThat(kube.node(sick).path("metadata").path("annotations").path("gangway.dev/health").asText()).contains("\"Fatal\"");
      await("relay restarted off " + sick).atMost(WAIT).untilAsserted(() -> {
        JsonNode status = kube.get("tj", "relay").path("status");
        assertThat(status.path("attempt").asInt()).isEqualTo(2);
        assertThat(status.path("phase").asText()).isEqualTo("Running");
      });
      JsonNode restart = kube.get("tj", "relay").path("status").path("restartHistory").get(0);
      assertThat(restart.path("cause").asText()).isEqualTo("NodeUnhealthy");
      assertThat(restart.path("resumedFrom").asText()).isEqualTo("/ckpt/relay/step-4200");
      assertThat(kube.pods("relay")).filteredOn(p -> p.path("metadata").path("labels").path("gangway.dev/attempt").asInt() == 2)
          .hasSize(2).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").asText()).isNotEqualTo(sick));

      // Who wrote: every write names its replica as field manager. The leader's are there; the follower's nowhere.
      List<String> managers = managers(sick);
      assertThat(managers).as("field managers of the node, the job, its pods and the Events").contains(PackagedLease.writer(leader))
          .doesNotContain(PackagedLease.writer(follower));
      assertThat(follower.log()).contains("Leader is").doesNotContain("Leading:");
    } finally {
      // Fatal marks last a day and are kept on the node: clear it so later tests may use the node.
      postNodeHealth(follower, sick, "Cleared", "repaired");
    }
  }

  /**
   * The doors refuse, through the follower as on the leader: no token 401; a token for the API server's
   * audience 401; a rank of another job 403; a rank reporting node health 403. Each answer is JSON with
   * a reason, and nothing is stored. A rank of the job itself and the granted health agent are accepted.
   */
  @Test
  void onlyTheJobsOwnRanksReportItsCheckpointsAndOnlyAGrantedAgentReportsNodeHealth() throws Exception {
    OperatorProcess leader = awaitLeader();
    OperatorProcess follower = leader == second ? env.operator() : second;
    kube.apply(Manifests.trainingJob("mine", 1, 8, Manifests.failurePolicy("maxRestarts: 3", 1)));
    kube.apply(Manifests.trainingJob("theirs", 1, 8, Manifests.failurePolicy("maxRestarts: 3", 1)));
    for (String job : List.of("mine", "theirs")) {
      await(job + " Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(job)).as(() -> kube.describe(job)).isEqualTo("Running"));
    }
    String uid = kube.get("tj", "mine").path("metadata").path("uid").asText();
    ObjectNode report = JSON.createObjectNode().put("namespace", kube.namespace()).put("name", "mine").put("uid", uid).put("attempt", 1)
        .put("step", 100).put("path", "/ckpt/mine/step-100");
    String minePod = kube.pods("mine").get(0).path("metadata").path("name").asText();
    String node = kube.pods("mine").get(0).path("spec").path("nodeName").asText();
    // An earlier test may have left a (Cleared) signal on the node: what matters is that the refusals below change nothing.
    String healthBefore = kube.node(node).path("metadata").path("annotations").path("gangway.dev/health").asText();

    for (OperatorProcess replica : List.of(follower, leader)) {
      String which = replica == leader ? "leader" : "follower";
      HttpResponse<String> none = post(replica, "/api/v1/checkpoints", report, null);
      assertThat(none.statusCode()).as(which + ": " + none.body()).isEqualTo(401);
      assertThat(JSON.readTree(none.body()).path("message").asText()).contains("no bearer token");

      String apiServerAudience = cluster.kubectlOk("create", "token", "default", "-n", kube.namespace(), "--bound-object-kind", "Pod",
          "--bound-object-name", minePod).strip();
      HttpResponse<String> wrongAudience = post(replica, "/api/v1/checkpoints", report, apiServerAudience);
      assertThat(wrongAudience.statusCode()).as(which + ": " + wrongAudience.body()).isEqualTo(401);
      assertThat(JSON.readTree(wrongAudience.body()).path("message").asText()).contains("not accepted for the audience gangway.dev/intake");

      HttpResponse<String> otherJob = post(replica, "/api/v1/checkpoints", report, Intake.rankToken(cluster, kube.namespace(), "theirs"));
      assertThat(otherJob.statusCode()).as(which + ": " + otherJob.body()).isEqualTo(403);
      assertThat(JSON.readTree(otherJob.body()).path("message").asText())
          .contains("is a rank of TrainingJob " + kube.namespace() + "/theirs").contains("not of TrainingJob " + kube.namespace() + "/mine");

      HttpResponse<String> rankSignals = postNodeHealth(replica, node, "Fatal", "XID 79", Intake.rankToken(cluster, kube.namespace(), "mine"));
      assertThat(rankSignals.statusCode()).as(which + ": " + rankSignals.body()).isEqualTo(403);
      assertThat(JSON.readTree(rankSignals.body()).path("message").asText()).contains("may not report node health");
    }
    assertThat(kube.get("tj", "mine").path("status").path("lastCheckpoint").isMissingNode()).as("nothing stored").isTrue();
    assertThat(kube.node(node).path("metadata").path("annotations").path("gangway.dev/health").asText()).as("node untouched")
        .isEqualTo(healthBefore);

    HttpResponse<String> own = post(follower, "/api/v1/checkpoints", report, Intake.rankToken(cluster, kube.namespace(), "mine"));
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    assertThat(kube.get("tj", "mine").path("status").path("lastCheckpoint").path("step").asLong()).isEqualTo(100L);
    HttpResponse<String> agent = postNodeHealth(follower, node, "Warning", "ECC single-bit", Intake.healthAgentToken(cluster));
    assertThat(agent.statusCode()).as(agent.body()).isEqualTo(200);
    postNodeHealth(follower, node, "Cleared", "repaired", Intake.healthAgentToken(cluster));
  }

  private OperatorProcess awaitLeader() {
    return PackagedLease.awaitHolder(cluster, List.of(env.operator(), second), WAIT);
  }

  private List<String> managers(String node) {
    List<String> managers = new ArrayList<>();
    collect(managers, "node", node);
    collect(managers, "tj", "relay", "-n", kube.namespace());
    collect(managers, "pods", "-n", kube.namespace());
    collect(managers, "events", "-n", kube.namespace());
    // Events on Nodes live in the default namespace.
    collect(managers, "events", "-n", "default");
    return managers;
  }

  /** Field managers of what {@code kubectl get <what>} lists (kubectl hides managedFields unless asked). */
  private void collect(List<String> managers, String... what) {
    List<String> args = new ArrayList<>(List.of("get", "-o", "json", "--show-managed-fields"));
    args.addAll(List.of(what));
    JsonNode found;
    try {
      found = JSON.readTree(cluster.kubectlOk(args.toArray(String[]::new)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<JsonNode> objects = new ArrayList<>();
    if (found.has("items")) {
      found.path("items").forEach(objects::add);
    } else {
      objects.add(found);
    }
    objects.forEach(o -> o.path("metadata").path("managedFields").forEach(f -> managers.add(f.path("manager").asText())));
  }

  /** Sent by the health agent, granted node-health signals. */
  private HttpResponse<String> postNodeHealth(OperatorProcess replica, String node, String severity, String reason) throws Exception {
    return postNodeHealth(replica, node, severity, reason, Intake.healthAgentToken(cluster));
  }

  private static HttpResponse<String> postNodeHealth(OperatorProcess replica, String node, String severity, String reason, String token)
      throws Exception {
    return post(replica, "/api/v1/node-health", JSON.createObjectNode().put("node", node).put("severity", severity).put("reason", reason)
        .put("time", Instant.now().toString()), token);
  }

  private static HttpResponse<String> post(OperatorProcess replica, String path, ObjectNode body, String token) throws Exception {
    return Intake.post(replica.url(), path, body.toString(), token);
  }
}
