package dev.gangway.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.checkin.IntakeAnswer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a node-health signal durable before it is acknowledged: the newest Fatal or Cleared signal
 * for a node is kept on the Node itself, in the {@link #ANNOTATION} annotation, as the signal's JSON.
 * Every replica rebuilds its {@link NodeHealthRegistry} from these annotations, so a new leader
 * knows which nodes are bad. Leader only; guarded by the Node's resourceVersion.
 */
public final class NodeHealthRecorder {
  /** On a Node: the newest Fatal or Cleared signal Gangway received for it, as JSON. */
  public static final String ANNOTATION = "gangway.dev/health";
  private static final Logger LOG = LoggerFactory.getLogger(NodeHealthRecorder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;

  public NodeHealthRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** The signal kept on the node; empty when there is none or it cannot be read (logged). */
  public static Optional<NodeHealthSignal> recorded(Node node) {
    var annotations = node.getMetadata() == null ? null : node.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(ANNOTATION);
    if (json == null) {
      return Optional.empty();
    }
    try {
      NodeHealthSignal signal = NodeHealthSignal.fromJson(json);
      return signal.node().equals(node.getMetadata().getName()) ? Optional.of(signal) : Optional.empty();
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignoring annotation {} on node {}: {}", ANNOTATION, node.getMetadata().getName(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Whether {@code incoming} replaces what the node holds: a signal older than the kept one does not. */
  static boolean replaces(NodeHealthSignal incoming, Optional<NodeHealthSignal> held) {
    return held.map(h -> !h.time().isAfter(incoming.time()) && !h.equals(incoming)).orElse(true);
  }

  /** 200 once stored (or already superseded), 404 for an unknown node, 503 when the API server could not be written. */
  public IntakeAnswer record(NodeHealthSignal signal) {
    if (signal.severity() == NodeHealthSignal.Severity.Warning) {
      return IntakeAnswer.ok("Warning for node " + signal.node() + " noted; Gangway acts on Fatal and Cleared signals");
    }
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        Node node = client.nodes().withName(signal.node()).get();
        if (node == null) {
          return IntakeAnswer.notFound("no Node " + signal.node());
        }
        Optional<NodeHealthSignal> held = recorded(node);
        if (!replaces(signal, held)) {
          return IntakeAnswer.ok(held.get().equals(signal) ? signal.severity() + " is recorded on node " + signal.node()
              : "superseded: node " + signal.node() + " holds a newer signal (" + held.get().severity() + " at " + held.get().time() + ")");
        }
        if (patched(node, signal)) {
          return IntakeAnswer.ok(signal.severity() + " is recorded on node " + signal.node());
        }
      }
      return IntakeAnswer.unavailable("node " + signal.node() + " kept changing while the signal was recorded");
    } catch (KubernetesClientException e) {
      return IntakeAnswer.apiServerFailure(e.getCode(), "could not record the signal on node " + signal.node() + ": " + e.getMessage());
    }
  }

  /** @return false when the node changed since it was read (409): read again */
  private boolean patched(Node node, NodeHealthSignal signal) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata").put("resourceVersion", node.getMetadata().getResourceVersion());
    metadata.putObject("annotations").put(ANNOTATION, signal.toJson());
    try {
      client.nodes().withName(node.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }
}
