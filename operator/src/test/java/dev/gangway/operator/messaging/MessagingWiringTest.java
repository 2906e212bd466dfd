package dev.gangway.operator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.checkpoint.ResourceRef;
import dev.gangway.events.JobCloudEventPublisher;
import dev.gangway.events.JobCloudEvent;
import dev.gangway.health.NodeHealthRecorder;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.leadership.Leadership;
import dev.gangway.operator.TestObjects;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The channels run on the in-memory connector by default and reach the controllers' stores; on the
 * leader a check-in is stored in the API server before its message is acknowledged, a follower only
 * keeps it in memory.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MessagingWiringTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Inject
  @Connector("smallrye-in-memory")
  InMemoryConnector connector;

  @Inject
  CheckpointInbox inbox;

  @Inject
  NodeHealthRegistry health;

  @Inject
  JobCloudEventPublisher publisher;

  @Inject
  KubernetesClient client;

  @Inject
  Leadership leadership;

  @Inject
  CheckpointReportConsumer consumer;

  @Test
  void aCheckpointReportReachesTheInboxAfterABadMessageAndIsAcknowledged() {
    TrainingJob job = TestObjects.trainingJob(client, "ml", "llm");
    List<ResourceRef> told = new CopyOnWriteArrayList<>();
    inbox.addListener(told::add);
    List<Boolean> acked = new CopyOnWriteArrayList<>();
    InMemorySource<Message<String>> checkpoints = connector.source("checkpoints");
    checkpoints.send(Message.of("this is not JSON"));
    checkpoints.send(Message.of(TestObjects.report(job, 1, -5)));
    checkpoints.send(Message.of(TestObjects.report(job, 1, 1200), () -> {
      acked.add(true);
      return CompletableFuture.completedFuture(null);
    }));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(acked).containsExactly(true);
      assertThat(inbox.latest(job.getMetadata().getUid())).get().extracting(CheckpointReport::step).isEqualTo(1200L);
      assertThat(told).contains(new ResourceRef("ml", "llm"));
    });
  }

  /** SmallRye acknowledges a message when the @Incoming method returns: it returns only once the report is stored. */
  @Test
  void onTheLeaderTheConsumerReturnsOnlyOnceTheReportIsStored() {
    TrainingJob job = TestObjects.trainingJob(client, "ml", "durable");

    consumer.receive(TestObjects.report(job, 1, 4200));

    assertThat(TestObjects.read(client, job).getStatus().getLastCheckpoint().getStep()).isEqualTo(4200L);
  }

  @Test
  void aFollowerKeepsACheckpointReportInMemoryAndWritesNothing() {
    TrainingJob job = TestObjects.trainingJob(client, "ml", "follower-job");
    leadership.stopLeading();
    try {
      List<Boolean> acked = new CopyOnWriteArrayList<>();
      connector.source("checkpoints").send(Message.of(TestObjects.report(job, 1, 300), () -> {
        acked.add(true);
        return CompletableFuture.completedFuture(null);
      }));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(acked).containsExactly(true);
        assertThat(inbox.latest(job.getMetadata().getUid())).get().extracting(CheckpointReport::step).isEqualTo(300L);
      });
      TrainingJob seen = TestObjects.read(client, job);
      assertThat(seen.getStatus() == null ? null : seen.getStatus().getLastCheckpoint()).isNull();
    } finally {
      leadership.startLeading();
    }
    // On taking over, the replica stores what it held.
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        assertThat(TestObjects.read(client, job).getStatus().getLastCheckpoint().getStep()).isEqualTo(300L));
  }

  @Test
  void aFatalHealthSignalIsKeptOnTheNodeAndMarksIt() {
    TestObjects.node(client, "gpu-wiring");
    List<String> told = new CopyOnWriteArrayList<>();
    health.addListener(told::add);
    InMemorySource<String> signals = connector.source("node-health");
    signals.send("{\"node\":\"gpu-wiring\",\"severity\":\"Bad\",\"time\":\"" + Instant.now() + "\"}");
    signals.send("{\"node\":\"gpu-wiring\",\"severity\":\"Fatal\",\"reason\":\"XID 79\",\"time\":\"" + Instant.now() + "\"}");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(health.isFatal("gpu-wiring", Instant.now())).isTrue();
      assertThat(told).containsExactly("gpu-wiring");
      assertThat(client.nodes().withName("gpu-wiring").get().getMetadata().getAnnotations())
          .hasEntrySatisfying(NodeHealthRecorder.ANNOTATION, json -> assertThat(json).contains("Fatal"));
    });
  }

  @Test
  void aPublishedEventLeavesOnJobEventsAsACloudEvent() throws Exception {
    InMemorySink<String> events = connector.sink("job-events");
    events.clear();
    publisher.publish(new JobCloudEvent(JobCloudEvent.Type.Restarting, "ml", "llm", "uid-1", 2, Instant.parse("2026-11-02T10:00:00Z"),
        "NodeLost", "node gpu-3 deleted", "gpu-3", 5, 1200L, "/ckpt/step-1200"));

    // The reconciler publishes too (jobs other tests created): pick the one published here.
    await().atMost(Duration.ofSeconds(10)).until(() -> restarting(events).isPresent());
    JsonNode event = JSON.readTree(restarting(events).get().getPayload());
    assertThat(event.path("specversion").asText()).isEqualTo("1.0");
    assertThat(event.path("type").asText()).isEqualTo("dev.gangway.trainingjob.restarting");
    assertThat(event.path("source").asText()).isEqualTo("/apis/gangway.dev/v1alpha1/namespaces/ml/trainingjobs/llm");
    assertThat(event.path("data").path("checkpoint").path("path").asText()).isEqualTo("/ckpt/step-1200");
  }

  private static java.util.Optional<? extends Message<String>> restarting(InMemorySink<String> events) {
    return events.received().stream().filter(m -> m.getPayload().contains("\"dev.gangway.trainingjob.restarting\"")).findFirst();
  }
}
