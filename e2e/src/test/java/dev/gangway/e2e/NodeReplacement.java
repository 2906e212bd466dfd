package dev.gangway.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A deleted Node registered again under its name, as a replaced machine would be: the saved object without what the
 * API server assigns (uid, resourceVersion, creation time, field managers) or the node agent reports (conditions, node
 * info, daemon endpoints), so KWOK takes it over as a fresh node with the same labels and capacity.
 */
public final class NodeReplacement {
  private NodeReplacement() {
  }

  /** @param saved the Node as {@code kubectl get node -o json} printed it before the deletion; changed in place */
  public static String manifest(ObjectNode saved) {
    ((ObjectNode) saved.path("metadata")).remove(List.of("uid", "resourceVersion", "creationTimestamp", "managedFields"));
    ((ObjectNode) saved.path("status")).remove(List.of("conditions", "nodeInfo", "daemonEndpoints"));
    return saved.toString();
  }
}
