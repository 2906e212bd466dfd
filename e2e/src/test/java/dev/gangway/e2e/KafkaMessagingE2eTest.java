package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator on a real Kafka broker, switched to Kafka by configuration alone: checkpoint reports
 * and node-health signals published by someone else reach the jobs they concern, and the job-events
 * topic carries the lifecycle as CloudEvents. The shared in-memory operator is stopped meanwhile
 * (both would compete for the one leader-election Lease) and started again afterwards.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaMessagingE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  // Not the defaults (gangway.checkpoints, …): the topics come from the chart's environment variables too.
  private static final String CHECKPOINTS = "e2e.gangway.checkpoints";
  private static final String NODE_HEALTH = "e2e.gangway.node-health";
  private static final String JOB_EVENTS = "e2e.gangway.job-events";
  private static final String LEASE = "gangway-operator-lease";

  private final E2eEnvironment env;
  private final LocalCluster cluster;
  private KafkaBroker broker;
  private OperatorProcess operator;
  private KafkaProducer<String, String> producer;
  private KafkaConsumer<String, String> jobEvents;
  private final List<ConsumerRecord<String, String>> events = new CopyOnWriteArrayList<>();
  private Kube kube;

  KafkaMessagingE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.cluster();
  }

  @BeforeAll
  void brokerAndAKafkaOperator() {
    broker = KafkaBroker.start(E2eEnvironment.WORK.resolve("kafka"));
    System.out.printf("Kafka broker pid %d on %s, up in %d ms; log %s%n", broker.pid(), broker.bootstrapServers(),
        broker.startTime().toMillis(), broker.log());
    broker.createTopics(CHECKPOINTS, NODE_HEALTH, JOB_EVENTS);
    producer = broker.producer();
    jobEvents = broker.consumer();
    TopicPartition partition = new TopicPartition(JOB_EVENTS, 0);
    jobEvents.assign(List.of(partition));
    jobEvents.seekToBeginning(List.of(partition));

    env.operator().close();
    Instant begin = Instant.now();
    // Configuration alone switches the transport, given as charts/gangway's deployment.yaml gives it (messaging.type kafka).
    operator = env.startOperator("operator-kafka", Map.of(), Map.of(
        "GANGWAY_MESSAGING_TYPE", "kafka",
        "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "GANGWAY_TOPIC_CHECKPOINTS", CHECKPOINTS,
        "GANGWAY_TOPIC_NODE_HEALTH", NODE_HEALTH,
        "GANGWAY_TOPIC_JOB_EVENTS", JOB_EVENTS));
    await("the Kafka operator leads").atMost(WAIT).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster.kubectl("get", "lease", LEASE, "-n", "default", "-o", "jsonpath={.spec.holderIdentity}")
            .stdout().strip().contains("-" + operator.pid() + "@"));
    System.out.printf("Kafka operator pid %d leads %d ms after start%n", operator.pid(), Duration.between(begin, Instant.now()).toMillis());
  }

  @AfterAll
  void stopKafkaOperatorAndBroker() {
    try {
      if (operator != null) {
        operator.close();
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      if (jobEvents != null) {
        jobEvents.close(Duration.ofSeconds(5));
      }
    } finally {
      try {
        env.restartOperator();
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  @BeforeEach
  void namespace() {
    kube = Kube.inFreshNamespace(cluster, "kafka");
  }

  @AfterEach
  void freeTheCluster() {
    kube.deleteNamespace(WAIT);
  }

  @Test
  void aCheckpointReportedOnKafkaIsWhereTheRestartedGangResumesAndJobEventsTellTheStory() throws Exception {
    kube.apply(job("ckpt", 2));
    await("ckpt Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("ckpt")).isEqualTo("Running"));
    JsonNode job = kube.get("tj", "ckpt");
    String uid = job.path("metadata").path("uid").asText();
    assertThat(job.path("status").path("attempt").asInt(1)).isEqualTo(1);

    String path = "/checkpoints/step-1200";
    // Before the real report: garbage, and a report of a predecessor with the same name (another uid) and
    // a higher step. The channel must go on after the first and the job must not take the second.
    send(CHECKPOINTS, uid, "this is not JSON");
    send(CHECKPOINTS, "0000-predecessor", report(kube.namespace(), "ckpt", "0000-predecessor", 1, 9000, "/checkpoints/other-job"));
    send(CHECKPOINTS, uid, report(kube.namespace(), "ckpt", uid, 1, 1200, path));

    await("status.lastCheckpoint from the checkpoints topic").atMost(WAIT).untilAsserted(() -> {
      JsonNode last = kube.get("tj", "ckpt").path("status").path("lastCheckpoint");
      assertThat(last.path("path").asText()).isEqualTo(path);
      assertThat(last.path("step").asLong()).isEqualTo(1200);
      assertThat(last.path("attempt").asInt()).isEqualTo(1);
    });

    kube.kubectl("annotate", "pod", "-l", "gangway.dev/job-name=ckpt,gangway.dev/rank=1,gangway.dev/attempt=1",
        "gangway.dev/e2e-exit-code=1");

    await("ckpt restarted as attempt 2").atMost(WAIT).untilAsserted(() -> {
      JsonNode status = kube.get("tj", "ckpt").path("status");
      assertThat(status.path("attempt").asInt()).isEqualTo(2);
      assertThat(status.path("phase").asText()).isEqualTo("Running");
    });
    List<JsonNode> attempt2 = podsOfAttempt("ckpt", 2);
    assertThat(attempt2).hasSize(2);
    for (JsonNode pod : attempt2) {
      assertThat(env(pod, "GANGWAY_RESUME_FROM")).as("GANGWAY_RESUME_FROM of %s", name(pod)).isEqualTo(path);
      assertThat(env(pod, "GANGWAY_ATTEMPT")).isEqualTo("2");
      assertThat(env(pod, "GANGWAY_JOB_UID")).isEqualTo(uid);
    }
    JsonNode status = kube.get("tj", "ckpt").path("status");
    JsonNode restart = status.path("restartHistory").get(0);
    assertThat(restart.path("cause").asText()).isEqualTo("RankFailed");
    assertThat(restart.path("rank").asInt()).isEqualTo(1);
    assertThat(restart.path("exitCode").asInt()).isEqualTo(1);
    assertThat(restart.path("resumedFrom").asText()).isEqualTo(path);

    // (c) The job-events topic: one CloudEvent per lifecycle step, structured JSON, keyed by the job.
    String source = "/apis/gangway.dev/v1alpha1/namespaces/" + kube.namespace() + "/trainingjobs/ckpt";
    List<String> expected = List.of("placed", "running", "rank-failed", "restarting", "resumed");
    await("job events on " + JOB_EVENTS).atMost(WAIT).untilAsserted(() -> {
      pollEvents();
      assertThat(typesOf(source)).containsAll(expected.stream().map(t -> "dev.gangway.trainingjob." + t).toList());
    });
    for (ConsumerRecord<String, String> record : eventsOf(source)) {
      JsonNode event = JSON.readTree(record.value());
      assertThat(event.path("specversion").asText()).isEqualTo("1.0");
      assertThat(event.path("id").asText()).isNotBlank();
      assertThat(event.path("type").asText()).startsWith("dev.gangway.trainingjob.");
      assertThat(event.path("subject").asText()).matches("attempts/\\d+(/ranks/\\d+)?");
      assertThat(Instant.parse(event.path("time").asText())).isAfter(Instant.now().minus(10, ChronoUnit.MINUTES));
      assertThat(event.path("data").path("job").path("uid").asText()).isEqualTo(uid);
      assertThat(record.key()).isEqualTo(kube.namespace() + "/ckpt");
      Header contentType = record.headers().lastHeader("content-type");
      assertThat(contentType).as("content-type header of %s", record.value()).isNotNull();
      assertThat(new String(contentType.value(), StandardCharsets.UTF_8)).startsWith("application/cloudevents+json");
    }
    JsonNode placed = event(source, "placed", 1);
    assertThat(placed.path("subject").asText()).isEqualTo("attempts/1");
    JsonNode rankFailed = event(source, "rank-failed", 1);
    assertThat(rankFailed.path("data").path("reason").asText()).isEqualTo("RankFailed");
    assertThat(rankFailed.path("data").path("message").asText()).contains("rank 1", "exit code 1");
    JsonNode restarting = event(source, "restarting", 1);
    assertThat(restarting.path("data").path("checkpoint").path("path").asText()).isEqualTo(path);
    JsonNode resumed = event(source, "resumed", 2);
    assertThat(resumed.path("subject").asText()).isEqualTo("attempts/2");
    assertThat(resumed.path("data").path("checkpoint").path("path").asText()).isEqualTo(path);
    assertThat(resumed.path("data").path("checkpoint").path("step").asLong()).isEqualTo(1200);
    // The lifecycle in order: one job's events share a key, so one partition, so their order is kept.
    List<String> order = typesOf(source).stream().filter(t -> expected.contains(t.substring("dev.gangway.trainingjob.".length())))
        .map(t -> t.substring("dev.gangway.trainingjob.".length())).distinct().toList();
    assertThat(order).containsSubsequence(expected);
  }

  @Test
  void aFatalNodeHealthSignalOnKafkaMovesTheGangOffThatNode() throws Exception {
    kube.apply(job("sick", 2));
    await("sick Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("sick")).isEqualTo("Running"));
    String node = podOf("sick", 0, 1).path("spec").path("nodeName").asText();
    assertThat(node).isNotEmpty();

    try {
      send(NODE_HEALTH, node, nodeHealth(node, "Fatal", "XID 79"));

      await("sick restarted as attempt 2").atMost(WAIT).untilAsserted(() -> {
        JsonNode status = kube.get("tj", "sick").path("status");
        assertThat(status.path("attempt").asInt()).isEqualTo(2);
        assertThat(status.path("phase").asText()).isEqualTo("Running");
      });
      JsonNode status = kube.get("tj", "sick").path("status");
      JsonNode restart = status.path("restartHistory").get(0);
      assertThat(restart.path("cause").asText()).isEqualTo("NodeUnhealthy");
      assertThat(restart.path("node").asText()).isEqualTo(node);
      assertThat(status.path("infrastructureRestarts").asInt()).isEqualTo(1);
      List<JsonNode> attempt2 = podsOfAttempt("sick", 2);
      assertThat(attempt2).hasSize(2);
      assertThat(attempt2).extracting(p -> p.path("spec").path("nodeName").asText())
          .as("nodes of attempt 2\n%s", kube.describe("sick")).doesNotContain(node).allMatch(n -> !n.isEmpty());
    } finally {
      // The node is repaired: later tests may use it again.
      send(NODE_HEALTH, node, nodeHealth(node, "Cleared", "repaired"));
    }
  }

  // --- helpers ---------------------------------------------------------------------------------------

  private void send(String topic, String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
  }

  private static String report(String namespace, String name, String uid, int attempt, long step, String path) {
    ObjectNode report = JSON.createObjectNode();
    report.put("namespace", namespace).put("name", name).put("uid", uid).put("attempt", attempt).put("step", step).put("path", path)
        .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    return report.toString();
  }

  private static String nodeHealth(String node, String severity, String reason) {
    ObjectNode signal = JSON.createObjectNode();
    signal.put("node", node).put("severity", severity).put("reason", reason).put("time", Instant.now().toString());
    return signal.toString();
  }

  private void pollEvents() {
    for (ConsumerRecord<String, String> r : jobEvents.poll(Duration.ofMillis(500))) {
      events.add(r);
    }
  }

  private List<ConsumerRecord<String, String>> eventsOf(String source) {
    List<ConsumerRecord<String, String>> mine = new ArrayList<>();
    for (ConsumerRecord<String, String> r : events) {
      try {
        if (source.equals(JSON.readTree(r.value()).path("source").asText())) {
          mine.add(r);
        }
      } catch (Exception e) {
        throw new AssertionError("not JSON on " + JOB_EVENTS + ": " + r.value(), e);
      }
    }
    return mine;
  }

  private List<String> typesOf(String source) throws Exception {
    List<String> types = new ArrayList<>();
    for (ConsumerRecord<String, String> r : eventsOf(source)) {
      types.add(JSON.readTree(r.value()).path("type").asText());
    }
    return types;
  }

  private JsonNode event(String source, String type, int attempt) throws Exception {
    for (ConsumerRecord<String, String> r : eventsOf(source)) {
      JsonNode e = JSON.readTree(r.value());
      if (e.path("type").asText().equals("dev.gangway.trainingjob." + type) && e.path("data").path("attempt").asInt() == attempt) {
        return e;
      }
    }
    throw new AssertionError("no " + type + " event of attempt " + attempt + " for " + source + " among " + typesOf(source));
  }

  private JsonNode podOf(String job, int rank, int attempt) {
    JsonNode items = kube.get("pods", "-l", "gangway.dev/job-name=" + job + ",gangway.dev/rank=" + rank + ",gangway.dev/attempt=" + attempt)
        .path("items");
    assertThat(items.size()).as("pods of %s rank %d attempt %d", job, rank, attempt).isEqualTo(1);
    return items.get(0);
  }

  private List<JsonNode> podsOfAttempt(String job, int attempt) {
    List<JsonNode> pods = new ArrayList<>();
    kube.get("pods", "-l", "gangway.dev/job-name=" + job + ",gangway.dev/attempt=" + attempt).path("items").forEach(pods::add);
    return pods;
  }

  private static String env(JsonNode pod, String variable) {
    for (JsonNode e : pod.path("spec").path("containers").get(0).path("env")) {
      if (variable.equals(e.path("name").asText())) {
        return e.path("value").asText();
      }
    }
    throw new AssertionError(name(pod) + " has no " + variable);
  }

  private static String name(JsonNode pod) {
    return pod.path("metadata").path("name").asText();
  }

  /** A job that restarts fast: one-second backoff. */
  private static String job(String name, int replicas) {
    return Manifests.trainingJob(name, replicas, 8, Manifests.failurePolicy("maxRestarts: 3", 1));
  }
}
