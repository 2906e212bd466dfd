package dev.gangway.operator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.health.NodeHealthRecorder;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.health.NodeHealthSignal;
import dev.gangway.operator.TestObjects;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.Test;

/**
 * Poison on the two incoming topics, seeded and bounded: each message's bytes go through the value deserializer the
 * Kafka connector is configured with (application.properties), then into the same {@code @Incoming} consumers on
 * the in-memory connector. Every message is acknowledged and none is refused with an exception (which would stop the
 * stream), a valid message sent after the poison still takes effect, and only a message that parses as a valid one
 * changes anything. Not exercised here: the broker and the Kafka client's fetching and offset commits
 * (KafkaMessagingE2eTest sends a non-JSON message through a real broker).
 *
 * <p>{@code -Dgangway.fuzz.seed=S} and {@code -Dgangway.fuzz.messages=N} (per channel, default 300) vary the run.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ChannelPoisonFuzzTest {
  private static final long SEED = Long.getLong("gangway.fuzz.seed", 20261202L);
  private static final int MESSAGES = Integer.getInteger("gangway.fuzz.messages", 300);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject
  @Connector("smallrye-in-memory")
  InMemoryConnector connector;

  @Inject
  KubernetesClient client;

  @Inject
  NodeHealthRegistry health;

  @Inject
  CheckpointReportConsumer checkpoints;

  @Inject
  NodeHealthConsumer nodeHealth;

  @Test
  void poisonOnTheCheckpointsTopicIsAcknowledgedChangesNothingAndTheChannelGoesOn() {
    TrainingJob job = TestObjects.trainingJob(client, "ml", "poisoned");
    TrainingJob after = TestObjects.trainingJob(client, "ml", "after-poison");
    Outcome outcome = fuzz(CheckpointReportConsumer.CHANNEL, TestObjects.report(job, 1, 1200), CheckpointReport::fromJson);
    // A tombstone: the Kafka connector hands a record without a value to the method as null.
    checkpoints.receive(null);

    InMemorySource<Message<String>> source = connector.source(CheckpointReportConsumer.CHANNEL);
    source.send(Message.of(TestObjects.report(after, 1, 7)));
    await("a valid report after the poison is stored").atMost(WAIT).ignoreExceptions()
        .untilAsserted(() -> assertThat(TestObjects.read(client, after).getStatus().getLastCheckpoint().getStep()).isEqualTo(7L));

    // Only what parsed as a report of this job's uid and attempt may be its resume path.
    CheckpointStatus last = TestObjects.read(client, job).getStatus() == null ? null : TestObjects.read(client, job).getStatus().getLastCheckpoint();
    Set<String> acceptedPaths = new HashSet<>();
    outcome.parsed().forEach(r -> {
      CheckpointReport report = (CheckpointReport) r;
      if (report.uid().equals(job.getMetadata().getUid()) && report.attempt() == 1) {
        acceptedPaths.add(report.path());
      }
    });
    if (last != null) {
      assertThat(acceptedPaths).as("the stored resume path came from a report that parsed").contains(last.getPath());
    }
    outcome.print(CheckpointReportConsumer.CHANNEL, "stored path " + (last == null ? "none" : "from an accepted report"));
  }

  @Test
  void poisonOnTheNodeHealthTopicIsAcknowledgedChangesNothingAndTheChannelGoesOn() {
    TestObjects.node(client, "fuzz-node");
    TestObjects.node(client, "after-poison");
    String valid = new NodeHealthSignal("fuzz-node", NodeHealthSignal.Severity.Warning, "XID 79", Instant.now()).toJson();
    Outcome outcome = fuzz(NodeHealthConsumer.CHANNEL, valid, NodeHealthSignal::fromJson);
    nodeHealth.receive(null);

    InMemorySource<Message<String>> source = connector.source(NodeHealthConsumer.CHANNEL);
    source.send(Message.of(new NodeHealthSignal("after-poison", NodeHealthSignal.Severity.Fatal, "XID 79", Instant.now()).toJson()));
    await("a valid signal after the poison is recorded").atMost(WAIT).untilAsserted(() -> assertThat(health.isFatal("after-poison",
        Instant.now())).isTrue());

    // Only a node a parsed signal named may carry Gangway's health annotation.
    Set<String> named = new HashSet<>(List.of("after-poison"));
    outcome.parsed().forEach(s -> named.add(((NodeHealthSignal) s).node()));
    client.nodes().list().getItems().stream()
        .filter(n -> n.getMetadata().getAnnotations() != null && n.getMetadata().getAnnotations().containsKey(NodeHealthRecorder.ANNOTATION))
        .forEach(n -> assertThat(named).as("nodes named by a signal that parsed").contains(n.getMetadata().getName()));
    outcome.print(NodeHealthConsumer.CHANNEL, "annotated nodes all named by a parsed signal");
  }

  /** Sends {@link #MESSAGES} poison messages derived from {@code valid} and waits until each is acknowledged. */
  private Outcome fuzz(String channel, String valid, Function<String, Object> parse) {
    Deserializer<String> deserializer = configuredDeserializer(channel);
    PoisonPayloads poison = new PoisonPayloads(SEED ^ channel.hashCode(), valid);
    InMemorySource<Message<String>> source = connector.source(channel);
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger nacked = new AtomicInteger();
    Outcome outcome = new Outcome();
    for (int i = 0; i < MESSAGES; i++) {
      String payload = deserializer.deserialize(channel, poison.next());
      try {
        outcome.parsed.add(parse.apply(payload));
      } catch (IllegalArgumentException refused) {
        outcome.refused++;
      }
      source.send(Message.of(payload, () -> {
        acked.incrementAndGet();
        return CompletableFuture.completedFuture(null);
      }, failure -> {
        nacked.incrementAndGet();
        return CompletableFuture.completedFuture(null);
      }));
    }
    await("every poison message on " + channel + " handled").atMost(WAIT)
        .untilAsserted(() -> assertThat(acked.get() + nacked.get()).isEqualTo(MESSAGES));
    outcome.acked = acked.get();
    outcome.nacked = nacked.get();
    assertThat(nacked.get()).as("messages the consumer failed on (each would stop a Kafka channel)").isZero();
    return outcome;
  }

  @SuppressWarnings("unchecked")
  private static Deserializer<String> configuredDeserializer(String channel) {
    String name = ConfigProvider.getConfig().getValue("mp.messaging.incoming." + channel + ".value.deserializer", String.class);
    try {
      return (Deserializer<String>) Class.forName(name).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create the configured deserializer " + name, e);
    }
  }

  private static final class Outcome {
    final List<Object> parsed = new java.util.ArrayList<>();
    int refused;
    int acked;
    int nacked;

    List<Object> parsed() {
      return parsed;
    }

    void print(String channel, String state) {
      System.out.printf("[channel-fuzz] %s seed %d: tried %d, refused %d, accepted %d, acknowledged %d, crashes %d; %s%n", channel, SEED,
          MESSAGES, refused, parsed.size(), acked, nacked, state);
    }
  }
}
