package dev.gangway.operator.messaging;

import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.health.NodeHealthSignal;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads GPU/NIC health signals from the {@code node-health} channel into the
 * {@link NodeHealthRegistry}. Bad messages are logged and acknowledged, never thrown.
 */
@ApplicationScoped
public class NodeHealthConsumer {
  public static final String CHANNEL = "node-health";
  private static final Logger LOG = Logger.getLogger(NodeHealthConsumer.class);

  private final NodeHealthRegistry registry;
  private final Clock clock = Clock.systemUTC();

  public NodeHealthConsumer(NodeHealthRegistry registry) {
    this.registry = registry;
  }

  @Incoming(CHANNEL)
  public void receive(String payload) {
    try {
      NodeHealthSignal signal = NodeHealthSignal.fromJson(payload);
      NodeHealthRegistry.Outcome outcome = registry.record(signal, clock.instant());
      switch (outcome) {
        case MarkedFatal -> LOG.warnf("Node %s is unhealthy (%s at %s): no new gangs go there; gangs on it restart elsewhere",
            signal.node(), signal.reason(), signal.time());
        case Cleared -> LOG.infof("Node %s is healthy again (%s)", signal.node(), signal.reason());
        default -> LOG.debugf("Node-health signal for %s (%s %s): %s", signal.node(), signal.severity(), signal.reason(), outcome);
      }
    } catch (IllegalArgumentException e) {
      LOG.warnf("Rejected message on channel %s: %s. Payload: %s", CHANNEL, e.getMessage(), Payloads.abbreviate(payload));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Failed to handle message on channel %s. Payload: %s", CHANNEL, Payloads.abbreviate(payload));
    }
  }
}
