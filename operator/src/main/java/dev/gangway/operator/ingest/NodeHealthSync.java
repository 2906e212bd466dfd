package dev.gangway.operator.ingest;

import dev.gangway.cache.ReducingItemStore;
import dev.gangway.health.NodeHealthRecorder;
import dev.gangway.health.NodeHealthRegistry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Feeds every replica's {@link NodeHealthRegistry} from the health signals kept on the Nodes
 * ({@link NodeHealthRecorder#ANNOTATION}): at startup from the full list, then from each change. So a
 * replica that starts, or a follower that takes over, knows which nodes are bad without having
 * received the signals itself. Reads only; the leader writes the annotations.
 */
@ApplicationScoped
public class NodeHealthSync {
  private static final Logger LOG = Logger.getLogger(NodeHealthSync.class);

  private final KubernetesClient client;
  private final NodeHealthRegistry health;
  private final Clock clock = Clock.systemUTC();
  private volatile SharedIndexInformer<Node> informer;

  public NodeHealthSync(KubernetesClient client, NodeHealthRegistry health) {
    this.client = client;
    this.health = health;
  }

  void start(@Observes StartupEvent event) {
    informer = client.nodes().runnableInformer(0).itemStore(new ReducingItemStore<>(NodeHealthSync::annotationOnly)).addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        sync(node);
      }

      @Override
      public void onUpdate(Node before, Node now) {
        if (!Objects.equals(annotation(before), annotation(now))) {
          sync(now);
        }
      }

      @Override
      public void onDelete(Node node, boolean deletedFinalStateUnknown) {
        // A deleted node's mark expires with its TTL; its gangs are restarted as node loss anyway.
      }
    });
    informer.start().whenComplete((ignored, error) -> {
      if (error != null) {
        LOG.warnf("Could not watch nodes for their health annotation: %s", error.getMessage());
      }
    });
  }

  void stop(@Observes ShutdownEvent event) {
    if (informer != null) {
      informer.stop();
    }
  }

  private void sync(Node node) {
    NodeHealthRecorder.recorded(node).ifPresent(signal -> {
      NodeHealthRegistry.Outcome outcome = health.record(signal, clock.instant());
      if (outcome == NodeHealthRegistry.Outcome.MarkedFatal || outcome == NodeHealthRegistry.Outcome.Cleared) {
        LOG.infof("Node %s: %s %s at %s (kept on the node)", signal.node(), signal.severity(), signal.reason(), signal.time());
      }
    });
  }

  private static String annotation(Node node) {
    Map<String, String> annotations = node.getMetadata() == null ? null : node.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(NodeHealthRecorder.ANNOTATION);
  }

  /** Keeps only each node's name, resourceVersion and health annotation: this cache exists to see that one annotation change. */
  private static Node annotationOnly(Node node) {
    String value = annotation(node);
    return new NodeBuilder().withNewMetadata().withName(node.getMetadata().getName())
        .withResourceVersion(node.getMetadata().getResourceVersion())
        .withAnnotations(value == null ? Map.of() : Map.of(NodeHealthRecorder.ANNOTATION, value)).endMetadata().build();
  }
}
