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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
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
    List<JsonNode> attempt2 = kube.pods("ckpt", 2);
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
      List<JsonNode> attempt2 = kube.pods("sick", 2);
      assertThat(attempt2).hasSize(2);
      assertThat(attempt2).extracting(p -> p.path("spec").path("nodeName").asText())
          .as("nodes of attempt 2\n%s", kube.describe("sick")).doesNotContain(node).allMatch(n -> !n.isEmpty());
    } finally {
      // The node is repaired: later tests may use it again.
      send(NODE_HEALTH, node, nodeHealth(node, "Cleared", "repaired"));
    }
  }

  /**
   * Poison on both incoming topics of the real broker, in the order a consumer meets it: records aimed at a running
   * job and at a node that runs it that only the operator's checks keep out, then seeded mutations ({@link KafkaPoison}),
   * then a valid check-in behind them on the same (only) partition. The valid ones take effect, the poison changes
   * nothing (the job keeps its attempt, no restart, no checkpoint from poison; no node's health mark, taints or
   * cordon change), the operator process is the same and alive, every poison record is accounted for in its log as
   * refused or ignored, and the consumer group's committed offsets reach the end of both topics.
   *
   * <p>{@code -Dgangway.fuzz.seed=S} replays a run; {@code -Dgangway.fuzz.kafka.messages=N} seeded records per topic.
   */
  @Test
  void poisonOnBothTopicsChangesNothingStopsNoChannelAndTheCheckInsBehindItTakeEffect() throws Exception {
    long seed = Long.getLong("gangway.fuzz.seed", 20261202L);
    int seeded = Integer.getInteger("gangway.fuzz.kafka.messages", 150);
    kube.apply(job("poisoned", 2));
    await("poisoned Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("poisoned")).isEqualTo("Running"));
    String uid = kube.get("tj", "poisoned").path("metadata").path("uid").asText();
    String busy = podOf("poisoned", 0, 1).path("spec").path("nodeName").asText();
    List<String> jobNodes = kube.pods("poisoned", 1).stream().map(p -> p.path("spec").path("nodeName").asText()).toList();
    String idle = nodeMarks().keySet().stream().filter(n -> !jobNodes.contains(n)).findFirst().orElseThrow();
    Map<String, String> marksBefore = nodeMarks();
    long pid = operator.pid();
    int logFrom = operator.log().length();

    // A slip-through of the first is stored above step 1200, which then makes the valid report below stale.
    ObjectNode target = (ObjectNode) JSON.readTree(report(kube.namespace(), "poisoned", uid, 1, 9000, "/checkpoints/poison"));
    ObjectNode foreign = (ObjectNode) JSON.readTree(report("poison-absent", "absent", "0000-absent", 7, 9000, "/checkpoints/foreign"));
    List<KafkaPoison.Poison> checkpoints = KafkaPoison.checkpoints(target, foreign, seed, seeded);
    ObjectNode fatal = (ObjectNode) JSON.readTree(nodeHealth(busy, "Fatal", "x".repeat(300_000)));
    ObjectNode absent = (ObjectNode) JSON.readTree(nodeHealth("poison-absent-node", "Fatal", "XID 79"));
    List<KafkaPoison.Poison> nodeHealth = KafkaPoison.nodeHealth(fatal, absent, seed, seeded);
    Instant begin = Instant.now();
    try (KafkaProducer<byte[], byte[]> raw = broker.bytesProducer()) {
      for (KafkaPoison.Poison p : checkpoints) {
        raw.send(new ProducerRecord<>(CHECKPOINTS, p.key(), p.value())).get(10, TimeUnit.SECONDS);
      }
      for (KafkaPoison.Poison p : nodeHealth) {
        raw.send(new ProducerRecord<>(NODE_HEALTH, p.key(), p.value())).get(10, TimeUnit.SECONDS);
      }
    }
    String path = "/checkpoints/step-1200";
    send(CHECKPOINTS, uid, report(kube.namespace(), "poisoned", uid, 1, 1200, path));
    send(NODE_HEALTH, idle, nodeHealth(idle, "Cleared", "checked after the poison"));

    await("the valid report behind the poison is the job's lastCheckpoint").atMost(WAIT).untilAsserted(() -> {
      JsonNode last = kube.get("tj", "poisoned").path("status").path("lastCheckpoint");
      assertThat(last.path("path").asText()).isEqualTo(path);
      assertThat(last.path("step").asLong()).isEqualTo(1200);
    });
    await("the valid signal behind the poison is kept on " + idle).atMost(WAIT).untilAsserted(() ->
        assertThat(kube.node(idle).path("metadata").path("annotations").path("gangway.dev/health").asText()).contains("checked after the poison"));
    Map<String, Long> committed = new java.util.TreeMap<>();
    await("the operator's committed offsets reach the end of both topics").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> {
          committed.clear();
          committed.putAll(committedOffsets());
          assertThat(committed).isEqualTo(endOffsets());
        });
    Duration took = Duration.between(begin, Instant.now());

    JsonNode status = kube.get("tj", "poisoned").path("status");
    assertThat(status.path("phase").asText()).isEqualTo("Running");
    assertThat(status.path("attempt").asInt()).as("no restart for poison").isEqualTo(1);
    assertThat(status.path("restartHistory")).as("no restart for poison").isEmpty();
    Map<String, String> marksAfter = nodeMarks();
    marksAfter.remove(idle);
    marksBefore.remove(idle);
    assertThat(marksAfter).as("health marks, taints and cordons of the nodes").isEqualTo(marksBefore);
    assertThat(operator.isAlive()).as("the operator process is alive").isTrue();
    assertThat(operator.pid()).isEqualTo(pid);

    String log = operator.log().substring(logFrom);
    ChannelCount cp = ChannelCount.of(log, "checkpoints", "Ignored checkpoint report for ");
    ChannelCount nh = ChannelCount.of(log, "node-health", "signal for node ");
    System.out.printf("[kafka-poison] seed %d, %s on the broker's topics in %d ms (committed offsets %s):%n  %s%n  %s%n", seed,
        "poison then one valid check-in", took.toMillis(), committed, cp.line(checkpoints.size()), nh.line(nodeHealth.size()));
    assertThat(cp.failed + nh.failed).as("messages whose handling threw (crashes)").isZero();
    assertThat(cp.refused + cp.ignored).as("poison records on %s refused or ignored, each with a log line", CHECKPOINTS).isEqualTo(checkpoints.size());
    assertThat(nh.refused + nh.ignored).as("poison records on %s refused or ignored, each with a log line", NODE_HEALTH).isEqualTo(nodeHealth.size());
  }

  /** What the operator's log says became of a channel's messages. */
  private record ChannelCount(String channel, int refused, int ignored, int failed) {
    static ChannelCount of(String log, String channel, String ignoredLine) {
      return new ChannelCount(channel, count(log, "Rejected message on channel " + channel + ":"),
          (int) log.lines().filter(l -> l.contains("Ignored ") && l.contains(ignoredLine)).count(),
          count(log, "Failed to handle message on channel " + channel + "."));
    }

    String line(int tried) {
      return "%s: tried %d, dropped %d (refused when read %d, ignored by the job or node checks %d), accepted %d, crashes %d"
          .formatted(channel, tried, refused + ignored, refused, ignored, tried - refused - ignored, failed);
    }

    private static int count(String text, String needle) {
      int n = 0;
      for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
        n++;
      }
      return n;
    }
  }

  /** Per node: Gangway's health annotation, taints and cordon, as one comparable string. */
  private Map<String, String> nodeMarks() {
    Map<String, String> marks = new java.util.TreeMap<>();
    for (JsonNode node : kube.get("nodes").path("items")) {
      marks.put(node.path("metadata").path("name").asText(), node.path("metadata").path("annotations").path("gangway.dev/health").asText()
          + " " + node.path("spec").path("taints") + " " + node.path("spec").path("unschedulable").asBoolean());
    }
    return marks;
  }

  /** The committed offsets of the operator's consumer groups on the incoming topics. */
  private Map<String, Long> committedOffsets() throws Exception {
    Map<String, Long> offsets = new java.util.TreeMap<>();
    try (Admin admin = broker.admin()) {
      for (var group : admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS)) {
        admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).forEach((tp, offset) -> {
          if ((tp.topic().equals(CHECKPOINTS) || tp.topic().equals(NODE_HEALTH)) && offset != null) {
            offsets.merge(tp.toString(), offset.offset(), Math::max);
          }
        });
      }
    }
    return offsets;
  }

  private Map<String, Long> endOffsets() throws Exception {
    Map<String, Long> offsets = new java.util.TreeMap<>();
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetSpec> latest = Map.of(new TopicPartition(CHECKPOINTS, 0), OffsetSpec.latest(),
          new TopicPartition(NODE_HEALTH, 0), OffsetSpec.latest());
      admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> offsets.put(tp.toString(), info.offset()));
    }
    return offsets;
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
