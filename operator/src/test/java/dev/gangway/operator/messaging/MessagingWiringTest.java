package dev.gangway.operator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.checkpoint.ResourceRef;
import dev.gangway.events.JobEventPublisher;
import dev.gangway.events.JobLifecycleEvent;
import dev.gangway.health.NodeHealthRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/** The channels run on the in-memory connector by default and reach the controllers' stores. */
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
  JobEventPublisher publisher;

  @Test
  void aCheckpointReportReachesTheInboxAfterABadMessage() {
    List<ResourceRef> told = new CopyOnWriteArrayList<>();
    inbox.addListener(told::add);
    InMemorySource<String> checkpoints = connector.source("checkpoints");
    checkpoints.send("this is not JSON");
    checkpoints.send("{\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"uid-wiring\",\"attempt\":1,\"step\":-5,\"path\":\"/c\"}");
    checkpoints.send("""
        {"namespace":"ml","name":"llm","uid":"uid-wiring","attempt":1,"step":1200,"path":"/ckpt/step-1200",
         "time":"2026-11-02T10:00:00Z"}""");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(inbox.latest("uid-wiring")).get().extracting(CheckpointReport::step).isEqualTo(1200L);
      assertThat(told).contains(new ResourceRef("ml", "llm"));
    });
  }

  @Test
  void aFatalHealthSignalMarksTheNode() {
    List<String> told = new CopyOnWriteArrayList<>();
    health.addListener(told::add);
    InMemorySource<String> signals = connector.source("node-health");
    signals.send("{\"node\":\"gpu-wiring\",\"severity\":\"Bad\",\"time\":\"" + Instant.now() + "\"}");
    signals.send("{\"node\":\"gpu-wiring\",\"severity\":\"Fatal\",\"reason\":\"XID 79\",\"time\":\"" + Instant.now() + "\"}");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(health.isFatal("gpu-wiring", Instant.now())).isTrue();
      assertThat(told).containsExactly("gpu-wiring");
    });
  }

  @Test
  void aPublishedEventLeavesOnJobEventsAsACloudEvent() throws Exception {
    InMemorySink<String> events = connector.sink("job-events");
    events.clear();
    publisher.publish(new JobLifecycleEvent(JobLifecycleEvent.Type.Restarting, "ml", "llm", "uid-1", 2, Instant.parse("2026-11-02T10:00:00Z"),
        "NodeLost", "node gpu-3 deleted", "gpu-3", 5, 1200L, "/ckpt/step-1200"));

    await().atMost(Duration.ofSeconds(10)).until(() -> !events.received().isEmpty());
    Message<String> message = events.received().get(0);
    JsonNode event = JSON.readTree(message.getPayload());
    assertThat(event.path("specversion").asText()).isEqualTo("1.0");
    assertThat(event.path("type").asText()).isEqualTo("dev.gangway.trainingjob.restarting");
    assertThat(event.path("source").asText()).isEqualTo("/apis/gangway.dev/v1alpha1/namespaces/ml/trainingjobs/llm");
    assertThat(event.path("data").path("checkpoint").path("path").asText()).isEqualTo("/ckpt/step-1200");
  }
}
