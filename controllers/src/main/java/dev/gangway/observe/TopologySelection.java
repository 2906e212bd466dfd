package dev.gangway.observe;

import dev.gangway.api.v1alpha1.ClusterTopology;
import java.util.Collection;
import java.util.Optional;

/** Which ClusterTopology a job places against: the one it names, else 'default', else the only one. */
public final class TopologySelection {
  public static final String DEFAULT_NAME = "default";

  private TopologySelection() {
  }

  public static Optional<ClusterTopology> choose(String requested, Collection<ClusterTopology> topologies) {
    if (requested != null) {
      return byName(requested, topologies);
    }
    Optional<ClusterTopology> named = byName(DEFAULT_NAME, topologies);
    if (named.isPresent()) {
      return named;
    }
    return topologies.size() == 1 ? topologies.stream().findFirst() : Optional.empty();
  }

  static String missingMessage(String requested, Collection<ClusterTopology> topologies) {
    if (requested != null) {
      return "spec.topology.topologyName: ClusterTopology '" + requested + "' does not exist; create it or name an existing one ("
          + names(topologies) + ")";
    }
    if (topologies.isEmpty()) {
      return "spec.topology: the cluster has no ClusterTopology, so topology levels cannot be resolved; ask the platform team "
          + "to create one (see examples/cluster-topology.yaml) or remove spec.topology";
    }
    return "spec.topology.topologyName: the cluster has several ClusterTopologies (" + names(topologies)
        + ") and none is named 'default'; name the one to use";
  }

  private static Optional<ClusterTopology> byName(String name, Collection<ClusterTopology> topologies) {
    return topologies.stream().filter(t -> name.equals(t.getMetadata().getName())).findFirst();
  }

  private static String names(Collection<ClusterTopology> topologies) {
    return topologies.stream().map(t -> t.getMetadata().getName()).sorted().reduce((a, b) -> a + ", " + b).orElse("none");
  }
}
