package dev.gangway.operator.messaging;

import dev.gangway.events.JobCloudEventJson;
import dev.gangway.events.JobCloudEventPublisher;
import dev.gangway.events.JobCloudEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes job lifecycle events as CloudEvents JSON on the {@code job-events} channel. Never
 * blocks and never throws: when the transport is down or the buffer is full the event is dropped
 * with a log line, because a reconcile must not wait on a notification.
 */
@ApplicationScoped
public class ChannelJobCloudEventPublisher implements JobCloudEventPublisher {
  public static final String CHANNEL = "job-events";
  private static final Logger LOG = Logger.getLogger(ChannelJobCloudEventPublisher.class);

  private final Emitter<String> emitter;

  public ChannelJobCloudEventPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
                                  Emitter<String> emitter) {
    this.emitter = emitter;
  }

  @Override
  public void publish(JobCloudEvent event) {
    try {
      String json = JobCloudEventJson.toJson(event);
      String job = JobCloudEventJson.partitionKey(event);
      // On Kafka: keyed by job so one job's events stay in order, and marked as a structured-mode CloudEvent.
      RecordHeaders headers = new RecordHeaders();
      headers.add("content-type", JobCloudEventJson.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
      Message<String> message = Message.of(json)
          .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(job).withHeaders(headers).build())
          .withNack(failure -> {
            LOG.warnf("Event %s for %s was not delivered: %s", event.type().cloudEventType(), job, failure.getMessage());
            return CompletableFuture.completedFuture(null);
          });
      emitter.send(message);
    } catch (RuntimeException e) {
      LOG.warnf("Dropped event %s for %s/%s: %s", event.type().cloudEventType(), event.namespace(), event.name(), e.getMessage());
    }
  }
}
