package dev.gangway.topology;

import java.util.Map;

/** What the domain tree needs to know of a node: its labels and its free GPUs. */
public record TopologyNode(String name, Map<String, String> labels, int freeGpus) {
  public TopologyNode {
    labels = labels == null ? Map.of() : labels;
  }
}
