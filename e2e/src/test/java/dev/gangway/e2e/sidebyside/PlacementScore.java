package dev.gangway.e2e.sidebyside;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How good one contender's placement of a job was, measured the way the scenario runner measures its baselines
 * ({@link PlacementEngine#measure}): domains spanned and ring crossings per level for the ring 0→1→…→n−1→0 in the
 * ranks' own order, beside the lower bound the cluster allowed at that moment (the nodes with every other job's live
 * pods on them); plus the TP groups whose ranks left one NVLink domain.
 */
public final class PlacementScore {

  /** One job's measure. */
  public record Score(PlacementQuality quality, int tpGroups, int tpGroupsSplit) {
  }

  private final Topology topology;
  private final List<Node> nodes;
  private final Map<String, String> groupDomainOfNode = new HashMap<>();
  private final PlacementEngine engine = new PlacementEngine();

  public PlacementScore(Topology topology, List<Node> nodes) {
    this.topology = topology;
    this.nodes = List.copyOf(nodes);
    String groupLabel = topology.level(JobManifests.GROUP_LEVEL).map(Level::nodeLabel)
        .orElseThrow(() -> new IllegalArgumentException("the topology has no level " + JobManifests.GROUP_LEVEL));
    for (Node n : nodes) {
      Map<String, String> labels = n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
      groupDomainOfNode.put(n.getMetadata().getName(), labels.getOrDefault(groupLabel, n.getMetadata().getName()));
    }
  }

  public Score of(ReplayJob job, String namespace, List<String> nodeByRank, List<Pod> others) {
    ClusterSnapshot snapshot = SnapshotFactory.from(topology, nodes, others);
    GangRequest.Builder b = GangRequest.builder(namespace + "/" + job.name()).replicas(job.replicas()).gpusPerRank(job.gpusPerRank())
        .preferred(JobManifests.PREFERRED_LEVEL);
    if (job.grouped()) b.groups(job.groupSize(), JobManifests.GROUP_LEVEL);
    PlacementQuality quality = engine.measure(snapshot, b.build(), nodeByRank);
    int groups = 0;
    int split = 0;
    if (job.grouped()) {
      for (int g = 0; g + job.groupSize() <= nodeByRank.size(); g += job.groupSize()) {
        groups++;
        Set<String> domains = new HashSet<>();
        for (int r = g; r < g + job.groupSize(); r++) domains.add(groupDomainOfNode.get(nodeByRank.get(r)));
        if (domains.size() > 1) split++;
      }
    }
    return new Score(quality, groups, split);
  }
}
