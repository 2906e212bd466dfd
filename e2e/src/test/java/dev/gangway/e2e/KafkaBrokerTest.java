package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The broker helper on its own (no cluster): it starts, carries a message, and stops by its handle. */
class KafkaBrokerTest {

  @Test
  void startsCarriesAMessageAndStops() throws Exception {
    KafkaBroker broker = KafkaBroker.start(E2eEnvironment.WORK.resolve("kafka-smoke"));
    try {
      System.out.printf("Kafka broker (pid %d) on %s up in %d ms%n", broker.pid(), broker.bootstrapServers(), broker.startTime().toMillis());
      broker.createTopics("smoke");
      try (KafkaProducer<String, String> producer = broker.producer()) {
        producer.send(new ProducerRecord<>("smoke", "k", "hello")).get(10, TimeUnit.SECONDS);
      }
      List<String> seen = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = broker.consumer()) {
        TopicPartition partition = new TopicPartition("smoke", 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            seen.add(r.key() + "=" + r.value());
          }
        }
      }
      assertThat(seen).containsExactly("k=hello");
    } finally {
      broker.close();
    }
    assertThat(broker.isAlive()).isFalse();
  }
}
