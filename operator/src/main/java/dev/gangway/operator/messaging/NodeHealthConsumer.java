package dev.gangway.operator.messaging;

import dev.gangway.health.NodeHealthSignal;
import dev.gangway.operator.ingest.CheckIns;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads GPU/NIC health signals from the {@code node-health} channel into {@link CheckIns}: on the
 * leader the signal is kept on the Node before the message is acknowledged; a follower keeps it
 * warm. Bad messages are logged and acknowledged, never thrown.
 */
@ApplicationScoped
public class NodeHealthConsumer {
  public static final String CHANNEL = "node-health";
  private static final Logger LOG = Logger.getLogger(NodeHealthConsumer.class);

  private final CheckIns checkIns;

  public NodeHealthConsumer(CheckIns checkIns) {
    this.checkIns = checkIns;
  }

  /** Blocking: recording waits on the API server; messages stay in order. */
  @Incoming(CHANNEL)
  @Blocking
  public void receive(String payload) {
    try {
      checkIns.fromChannel(NodeHealthSignal.fromJson(payload));
    } catch (IllegalArgumentException e) {
      LOG.warnf("Rejected message on channel %s: %s. Payload: %s", CHANNEL, e.getMessage(), Payloads.abbreviate(payload));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Failed to handle message on channel %s. Payload: %s", CHANNEL, Payloads.abbreviate(payload));
    }
  }
}
