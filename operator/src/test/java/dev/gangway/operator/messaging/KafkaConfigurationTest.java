package dev.gangway.operator.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Kafka by configuration alone: the chart's settings (GANGWAY_MESSAGING_TYPE=kafka, the bootstrap
 * servers and topic names) move all three channels to Kafka. No broker runs here: the clients are
 * created and keep retrying in the background, which must not stop the operator from starting.
 */
@QuarkusTest
@TestProfile(KafkaConfigurationTest.Kafka.class)
@WithKubernetesTestServer(crud = true)
class KafkaConfigurationTest {

  public static class Kafka implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "gangway.messaging.type", "kafka",
          "kafka.bootstrap.servers", "127.0.0.1:1",
          "gangway.topic.checkpoints", "training.checkpoints",
          "gangway.topic.node-health", "fleet.node-health",
          "gangway.topic.job-events", "training.job-events",
          // Fail fast instead of blocking a send for the default minute on the missing broker.
          "mp.messaging.outgoing.job-events.max.block.ms", "1000");
    }
  }

  @Inject
  KafkaClientService kafka;

  @Test
  void allChannelsRunOnKafkaWithTheConfiguredTopics() {
    assertThat(ConfigProvider.getConfig().getValue("mp.messaging.incoming.checkpoints.connector", String.class)).isEqualTo("smallrye-kafka");
    assertThat(kafka.getConsumerChannels()).containsExactlyInAnyOrder("checkpoints", "node-health");
    assertThat(kafka.getProducerChannels()).containsExactly("job-events");
    Map<String, ?> consumer = kafka.getConsumer("checkpoints").configuration();
    assertThat(String.valueOf(consumer.get("bootstrap.servers"))).isEqualTo("127.0.0.1:1");
    assertThat(String.valueOf(consumer.get("auto.offset.reset"))).isEqualTo("earliest");
    assertThat(String.valueOf(consumer.get("group.id"))).startsWith("gangway-operator-");
    assertThat(ConfigProvider.getConfig().getValue("mp.messaging.incoming.node-health.topic", String.class)).isEqualTo("fleet.node-health");
    assertThat(ConfigProvider.getConfig().getValue("mp.messaging.outgoing.job-events.topic", String.class)).isEqualTo("training.job-events");
  }
}
