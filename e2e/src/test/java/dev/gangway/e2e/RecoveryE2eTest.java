package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Failure recovery on the real control plane: KWOK injects the failures (container exit codes,
 * node NotReady, node deletion), the packaged operator restarts the gang from its last checkpoint.
 * On a cluster without KWOK's stages only the health-signal tests run (the signals go through the
 * operator's intake); the rest say which capability they lack.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class RecoveryE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** How long the first test's job trains after its checkpoint before it fails. */
  private static final Duration LOST_WORK = Duration.ofSeconds(5);
  private final E2eEnvironment env;
  private final ClusterUnderTest cluster;
  private final FaultInjector faults;
  private Kube kube;

  RecoveryE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.clusterUnderTest();
    this.faults = cluster.faults();
  }

  @BeforeEach
  void namespace() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube = Kube.inFreshNamespace(cluster, "recover");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube == null) {
      return; // skipped
    }
    if (!env.operator().isAlive()) {
      env.restartOperator();
    }
    kube.deleteNamespace(WAIT);
  }

  @Test
  void aRetryableExitRestartsTheGangFromTheReportedCheckpointWithoutExcludingItsNode() throws Exception {
    cluster.assume(Capability.RANK_EXIT_CODES);
    kube.apply(job("llm", 2, "maxRestarts: 3"));
    awaitPhase("llm", "Running");
    String uid = kube.get("tj", "llm").path("metadata").path("uid").asText();
    Instant checkpointSent = Instant.now();
    assertThat(postCheckpoint("llm", uid, 1, 4200, "/ckpt/llm/step-4200")).isEqualTo(200);
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.get("tj", "llm").path("status").path("lastCheckpoint").path("path").asText())
        .isEqualTo("/ckpt/llm/step-4200"));
    Instant checkpointStored = Instant.now();
    String failedNode = podOfRank("llm", 1).path("spec").path("nodeName").asText();
    // Training after the checkpoint that the failure then loses: the goodput figures must show it.
    Thread.sleep(LOST_WORK.toMillis());

    Instant failureInjected = Instant.now();
    faults.exitRanks(kube, "gangway.dev/job-name=llm,gangway.dev/rank=1", 1);
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode status = kube.get("tj", "llm").path("status");
      assertThat(status.path("attempt").asInt()).isEqualTo(2);
      assertThat(status.path("phase").asText()).isEqualTo("Running");
    });
    JsonNode status = kube.get("tj", "llm").path("status");
    assertThat(status.path("restarts").asInt()).isEqualTo(1);
    // A crash is as likely the program's as the node's: the node is not excluded (a long job would run out of nodes).
    assertThat(status.has("excludedNodes")).as("status.excludedNodes of a job whose rank %s crashed", failedNode).isFalse();
    assertThat(status.has("nodeExclusions")).isFalse();
    assertThat(status.path("restartHistory").get(0).path("exitCode").asInt()).isEqualTo(1);
    List<JsonNode> pods = kube.pods("llm");
    assertThat(pods).hasSize(2).allSatisfy(p -> {
      assertThat(p.path("metadata").path("labels").path("gangway.dev/attempt").asText()).isEqualTo("2");
      assertThat(env(p)).containsEntry("GANGWAY_RESUME_FROM", "/ckpt/llm/step-4200").containsEntry("GANGWAY_ATTEMPT", "2");
    });
    assertThat(kube.condition("llm", "Restarting").path("reason").asText()).isEqualTo("Recovered");

    // Goodput of 16 GPUs: attempt 1 trained up to the checkpoint; the work after it is lost, within what this test did
    // (the kubelet's failure time has whole seconds); the restart (1 s backoff at least) is lost to it.
    JsonNode goodput = status.path("goodput");
    assertThat(goodput.path("ratio").asDouble()).as(goodput::toString).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
    JsonNode lost = goodput.path("lostGpuSeconds");
    System.out.println("goodput after one restart (5 s of work lost, 1 s backoff, 16 GPUs): " + goodput);
    Instant detected = Instant.parse(status.path("restartHistory").get(0).path("detectedTime").asText());
    assertThat(lost.path("lostWork").asLong()).as(goodput::toString)
        .isBetween(gpuSeconds(checkpointStored, failureInjected) - 17, gpuSeconds(checkpointSent, detected) + 17);
    assertThat(lost.path("detection").asLong()).as(goodput::toString).isBetween(0L, gpuSeconds(failureInjected, detected) + 17);
    assertThat(lost.path("restart").asLong()).as(goodput::toString).isGreaterThanOrEqualTo(16);
    assertThat(goodput.path("heldGpuSeconds").asLong()).isEqualTo(goodput.path("usefulGpuSeconds").asLong() + lost.path("lostWork").asLong()
        + lost.path("detection").asLong() + lost.path("restart").asLong() + lost.path("waitingForCapacity").asLong());
  }

  @Test
  void aNodeThatGoesNotReadyAndIsDeletedMovesTheGangElsewhere() {
    cluster.assume(Capability.NODE_CONDITIONS);
    cluster.assume(Capability.NODE_DELETION);
    kube.apply(job("nodeloss", 2, "maxRestarts: 0"));
    awaitPhase("nodeloss", "Running");
    String node = podOfRank("nodeloss", 0).path("spec").path("nodeName").asText();
    String saved = NodeReplacement.manifest((ObjectNode) kube.node(node));
    try {
      faults.makeNodeNotReady(node);
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.node(node).path("status").path("conditions").toString())
          .contains("\"type\":\"Ready\"").contains("\"status\":\"False\""));
      // Within the NotReady grace period the gang keeps running.
      assertThat(kube.phase("nodeloss")).isEqualTo("Running");

      cluster.kubectlOk("delete", "node", node);
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode status = kube.get("tj", "nodeloss").path("status");
        assertThat(status.path("attempt").asInt()).isEqualTo(2);
        assertThat(status.path("phase").asText()).isEqualTo("Running");
      });
      JsonNode status = kube.get("tj", "nodeloss").path("status");
      // Node loss is the infrastructure's fault: it does not count against maxRestarts (0 here).
      assertThat(status.path("restarts").asInt()).isZero();
      assertThat(status.path("infrastructureRestarts").asInt()).isEqualTo(1);
      assertThat(status.path("restartHistory").get(0).path("cause").asText()).isEqualTo("NodeLost");
      // A lost node is the node's fault: the job keeps off it for failurePolicy.nodeExclusionSeconds (default 4 h).
      assertThat(status.path("excludedNodes").toString()).contains(node);
      JsonNode exclusion = status.path("nodeExclusions").get(0);
      assertThat(exclusion.path("node").asText()).isEqualTo(node);
      assertThat(exclusion.path("cause").asText()).isEqualTo("NodeLost");
      assertThat(java.time.Duration.between(java.time.Instant.parse(exclusion.path("time").asText()),
          java.time.Instant.parse(exclusion.path("until").asText()))).isGreaterThan(java.time.Duration.ofHours(3));
      // The new attempt runs elsewhere without waiting for the lost node's pod, which stays Terminating until pod GC.
      assertThat(kube.pods("nodeloss")).filteredOn(p -> p.path("metadata").path("labels").path("gangway.dev/attempt").asInt() == 2)
          .hasSize(2).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").asText()).isNotEqualTo(node));
      assertThat(kube.pods("nodeloss")).filteredOn(p -> p.path("metadata").path("labels").path("gangway.dev/attempt").asInt() == 1)
          .allSatisfy(p -> assertThat(p.path("metadata").has("deletionTimestamp")).as("the old attempt is being deleted").isTrue());
    } finally {
      cluster.kubectl("delete", "node", node, "--ignore-not-found");
      cluster.kubectlWithInput(saved, "create", "-f", "-").assertOk();
      await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.kubectlOk("get", "node", node, "-o",
          "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").strip()).isEqualTo("True"));
    }
  }

  @Test
  void aFatalHealthSignalWaitsForTheNextCheckpointThenMovesTheGangOffTheNode() throws Exception {
    kube.apply(job("sick", 2, "checkpointWaitSeconds: 600", 0));
    awaitPhase("sick", "Running");
    String uid = kube.get("tj", "sick").path("metadata").path("uid").asText();
    String node = podOfRank("sick", 1).path("spec").path("nodeName").asText();
    try {
      assertThat(postNodeHealth(node, "Fatal", "XID 79")).isEqualTo(200);
      await().atMost(WAIT).until(() -> kube.kubectl("get", "events", "--field-selector",
          "involvedObject.name=sick,reason=WaitingForCheckpoint", "-o", "name").contains("event"));
      // Waiting: the gang keeps training on the sick node until its next checkpoint is safe.
      assertThat(kube.get("tj", "sick").path("status").path("attempt").asInt()).isEqualTo(1);
      assertThat(kube.phase("sick")).isEqualTo("Running");

      assertThat(postCheckpoint("sick", uid, 1, 300, "/ckpt/sick/step-300")).isEqualTo(200);
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode status = kube.get("tj", "sick").path("status");
        assertThat(status.path("attempt").asInt()).isEqualTo(2);
        assertThat(status.path("phase").asText()).isEqualTo("Running");
      });
      JsonNode restart = kube.get("tj", "sick").path("status").path("restartHistory").get(0);
      assertThat(restart.path("cause").asText()).isEqualTo("NodeUnhealthy");
      assertThat(restart.path("resumedFrom").asText()).isEqualTo("/ckpt/sick/step-300");
      assertThat(kube.pods("sick")).hasSize(2).allSatisfy(p -> {
        assertThat(p.path("spec").path("nodeName").asText()).isNotEqualTo(node);
        assertThat(env(p)).containsEntry("GANGWAY_RESUME_FROM", "/ckpt/sick/step-300");
      });
    } finally {
      // Fatal marks last a day: clear it so later tests may use the node.
      postNodeHealth(node, "Cleared", "repaired");
    }
  }

  @Test
  void aJobItsExclusionsLeaveNoRoomForSaysSoAndIsPlacedAgainWhenTheExclusionEnds() throws Exception {
    // The whole cluster (16 nodes x 8 GPUs): a node it keeps off leaves it no room.
    kube.apply(job("whole", 16, "nodeExclusionSeconds: 60", 0));
    awaitPhase("whole", "Running");
    String node = podOfRank("whole", 3).path("spec").path("nodeName").asText();
    try {
      assertThat(postNodeHealth(node, "Fatal", "XID 79")).isEqualTo(200);
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.get("tj", "whole").path("status").path("excludedNodes").toString())
          .contains(node));
      // Repaired at once: every other job may use the node again, this one keeps off it until its exclusion ends.
      assertThat(postNodeHealth(node, "Cleared", "repaired")).isEqualTo(200);
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode placed = kube.condition("whole", "Placed");
        assertThat(placed.path("status").asText()).isEqualTo("False");
        assertThat(placed.path("reason").asText()).isEqualTo("ExcludedNodesLeaveNoRoom");
        assertThat(placed.path("message").asText()).contains("without the 1 node it keeps off now",
            "1 of them is excluded after failures of this job there");
      });
      JsonNode exclusion = kube.get("tj", "whole").path("status").path("nodeExclusions").get(0);
      assertThat(exclusion.path("cause").asText()).isEqualTo("NodeUnhealthy");
      await().atMost(WAIT.plusSeconds(60)).untilAsserted(() -> {
        JsonNode status = kube.get("tj", "whole").path("status");
        assertThat(status.path("attempt").asInt()).isEqualTo(2);
        assertThat(status.path("phase").asText()).isEqualTo("Running");
        assertThat(status.has("nodeExclusions")).isFalse();
      });
      assertThat(kube.pods("whole")).anySatisfy(p -> assertThat(p.path("spec").path("nodeName").asText()).isEqualTo(node));
    } finally {
      postNodeHealth(node, "Cleared", "repaired");
    }
  }

  @Test
  void aNodeFlaggedOnItsLabelStaysAvoidedAcrossAnOperatorRestartUntilThePersonRemovesTheLabel() {
    // What a leader writes when failures of several jobs flag a node, and what a person may write too.
    String node = cluster.kubectlOk("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}").trim();
    cluster.kubectlOk("label", "node", node, "gangway.dev/flagged=RepeatedFailures", "--overwrite");
    try {
      // A new process knows the flag only from the node.
      env.operator().kill();
      env.restartOperator();
      // The whole cluster (16 nodes x 8 GPUs): without the flagged node there is no room.
      kube.apply(job("whole", 16, "maxRestarts: 3"));
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode placed = kube.condition("whole", "Placed");
        assertThat(placed.path("status").asText()).isEqualTo("False");
        assertThat(placed.path("reason").asText()).isEqualTo("ExcludedNodesLeaveNoRoom");
        assertThat(placed.path("message").asText()).contains("without the 1 node it keeps off now");
      });
      assertThat(kube.pods("whole")).as("no rank while the flag holds").isEmpty();
      cluster.kubectlOk("label", "node", node, "gangway.dev/flagged-");
      awaitPhase("whole", "Running");
      assertThat(kube.pods("whole")).anySatisfy(p -> assertThat(p.path("spec").path("nodeName").asText()).isEqualTo(node));
    } finally {
      cluster.kubectl("label", "node", node, "gangway.dev/flagged-"); // gone already when the test passed
    }
  }

  @Test
  void aPermanentExitCodeFailsTheJobWithoutARestart() {
    cluster.assume(Capability.RANK_EXIT_CODES);
    kube.apply(job("typo", 2, "maxRestarts: 3"));
    awaitPhase("typo", "Running");
    faults.exitRanks(kube, "gangway.dev/job-name=typo,gangway.dev/rank=0", 127);
    awaitPhase("typo", "Failed");
    assertThat(kube.condition("typo", "Failed").path("reason").asText()).isEqualTo("PermanentFailure");
    assertThat(kube.condition("typo", "Failed").path("message").asText()).contains("exit code 127");
    JsonNode status = kube.get("tj", "typo").path("status");
    assertThat(status.path("restarts").asInt()).isZero();
    assertThat(status.path("attempt").asInt()).isEqualTo(1);
  }

  @Test
  void exhaustedRestartsFailTheJob() {
    cluster.assume(Capability.RANK_EXIT_CODES);
    kube.apply(job("flaky", 2, "maxRestarts: 1"));
    awaitPhase("flaky", "Running");
    faults.exitRanks(kube, "gangway.dev/job-name=flaky,gangway.dev/rank=1", 1);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(kube.get("tj", "flaky").path("status").path("attempt").asInt()).isEqualTo(2);
      assertThat(kube.phase("flaky")).isEqualTo("Running");
    });
    faults.exitRanks(kube, "gangway.dev/job-name=flaky,gangway.dev/attempt=2,gangway.dev/rank=0", 1);
    awaitPhase("flaky", "Failed");
    assertThat(kube.condition("flaky", "Failed").path("reason").asText()).isEqualTo("RestartLimitExceeded");
    assertThat(kube.get("tj", "flaky").path("status").path("restarts").asInt()).isEqualTo(1);
  }

  @Test
  void anOperatorKilledMidRestartFinishesItWithoutDuplicatesOrLeaks() {
    cluster.assume(Capability.RANK_EXIT_CODES);
    // A long enough backoff that the operator dies while the restart is pending.
    kube.apply(job("phoenix", 4, "maxRestarts: 3", 8));
    awaitPhase("phoenix", "Running");
    faults.exitRanks(kube, "gangway.dev/job-name=phoenix,gangway.dev/rank=2", 1);
    awaitPhase("phoenix", "Restarting");

    env.operator().kill();
    env.restartOperator();

    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode status = kube.get("tj", "phoenix").path("status");
      assertThat(status.path("attempt").asInt()).isEqualTo(2);
      assertThat(status.path("phase").asText()).isEqualTo("Running");
    });
    List<String> attempts = new ArrayList<>();
    kube.pods("phoenix").forEach(p -> attempts.add(p.path("metadata").path("labels").path("gangway.dev/attempt").asText()));
    assertThat(attempts).containsExactly("2", "2", "2", "2");
    assertThat(kube.get("tj", "phoenix").path("status").path("restarts").asInt()).isEqualTo(1);
    assertThat(kube.get("tj", "phoenix").path("status").path("restartHistory")).hasSize(1);
  }

  /** 16 GPUs (two ranks of 8) times the time between two instants. */
  private static long gpuSeconds(Instant from, Instant to) {
    return Math.round(16 * Duration.between(from, to).toMillis() / 1000.0);
  }

  private void awaitPhase(String job, String phase) {
    await(job + " " + phase).atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(job)).as(() -> kube.describe(job)).isEqualTo(phase));
  }

  private JsonNode podOfRank(String job, int rank) {
    return kube.pods(job).stream().filter(p -> p.path("metadata").path("labels").path("gangway.dev/rank").asInt() == rank)
        .findFirst().orElseThrow();
  }

  private static Map<String, String> env(JsonNode pod) {
    Map<String, String> env = new java.util.HashMap<>();
    pod.path("spec").path("containers").get(0).path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    return env;
  }

  /** Sent as the job's rank would send it, with the token bound to its pod. */
  private int postCheckpoint(String job, String uid, int attempt, long step, String path) throws Exception {
    return post("/api/v1/checkpoints", new ObjectMapper().createObjectNode().put("namespace", kube.namespace()).put("name", job)
        .put("uid", uid).put("attempt", attempt).put("step", step).put("path", path), Intake.rankToken(cluster, kube.namespace(), job));
  }

  private int postNodeHealth(String node, String severity, String reason) throws Exception {
    return post("/api/v1/node-health", new ObjectMapper().createObjectNode().put("node", node).put("severity", severity)
        .put("reason", reason).put("time", java.time.Instant.now().toString()), Intake.healthAgentToken(cluster));
  }

  private int post(String path, ObjectNode body, String token) throws Exception {
    return Intake.post(env.operator().url(), path, body.toString(), token).statusCode();
  }

  private static String job(String name, int replicas, String failurePolicy) {
    return job(name, replicas, failurePolicy, 1);
  }

  private static String job(String name, int replicas, String failurePolicy, int backoffSeconds) {
    return Manifests.trainingJob(name, replicas, 8, Manifests.failurePolicy(failurePolicy, backoffSeconds));
  }
}
