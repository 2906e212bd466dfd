package dev.gangway.e2e.chaos;

import java.util.List;

/**
 * What the planner knows of the cluster: node count, GPUs per node and the topology levels
 * (outermost first, as in e2e/clusters/*.yaml), to tell jobs that fit from jobs that never can.
 */
public record ClusterShape(String name, int nodes, int gpusPerNode, List<Level> levels) {
  /** A topology level and how many nodes share one of its domains. */
  public record Level(String name, int nodesPerDomain) {
  }

  public ClusterShape {
    levels = List.copyOf(levels);
  }

  /** e2e/clusters/small.yaml: 16 nodes x 8 GPUs, block 16, rack 8, NVLink domain 4. */
  public static final ClusterShape SMALL = new ClusterShape("small", 16, 8,
      List.of(new Level("block", 16), new Level("rack", 8), new Level("nvlink-domain", 4), new Level("host", 1)));
  /** e2e/clusters/superpod.yaml: 128 nodes x 8 GPUs, block (SU) 32, rack 4, NVLink domain = host. */
  public static final ClusterShape SUPERPOD = new ClusterShape("superpod", 128, 8,
      List.of(new Level("block", 32), new Level("rack", 4), new Level("nvlink-domain", 1), new Level("host", 1)));

  public int gpus() {
    return nodes * gpusPerNode;
  }

  /** GPUs in one domain of the level. */
  public int domainGpus(String level) {
    return levels.stream().filter(l -> l.name().equals(level)).findFirst()
        .map(l -> l.nodesPerDomain() * gpusPerNode)
        .orElseThrow(() -> new IllegalArgumentException("no level " + level + " in " + name));
  }
}
