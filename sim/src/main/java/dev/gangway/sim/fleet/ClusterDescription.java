package dev.gangway.sim.fleet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster as e2e/clusters/*.yaml describes it (the file the e2e tools turn into KWOK nodes): node
 * count and GPUs per node, and the topology levels, outermost first, each with its label, domain size
 * and bandwidth. Node names and label values follow e2e/tools/nodegen, so a simulated node is named and
 * labelled as the e2e cluster's node of the same index.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterDescription(String name, String clusterUUID, Nodes nodes, Double crossBlockBandwidthGBps,
    List<LevelSpec> levels) {

  static final String HOSTNAME = "kubernetes.io/hostname";
  static final String CLIQUE = "nvidia.com/gpu.clique";

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Nodes(int count, String namePrefix, int gpus) {
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LevelSpec(String name, String nodeLabel, int nodesPerDomain, String valuePrefix, double bandwidthGBps) {
  }

  public static ClusterDescription read(Path file) {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    try {
      return yaml.readValue(Files.readString(file), ClusterDescription.class).validated(file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read cluster description " + file + ": " + e.getMessage(), e);
    }
  }

  ClusterDescription validated(String source) {
    if (nodes == null || nodes.count() < 1 || nodes.gpus() < 1) {
      throw new IllegalArgumentException(source + ": nodes.count and nodes.gpus must be at least 1");
    }
    if (levels == null || levels.isEmpty() || !HOSTNAME.equals(levels.get(levels.size() - 1).nodeLabel())) {
      throw new IllegalArgumentException(source + ": levels must end with the host level (nodeLabel " + HOSTNAME + ")");
    }
    for (int i = 1; i < levels.size(); i++) {
      if (levels.get(i - 1).nodesPerDomain() % levels.get(i).nodesPerDomain() != 0) {
        throw new IllegalArgumentException(source + ": level " + levels.get(i).name() + " has nodesPerDomain "
            + levels.get(i).nodesPerDomain() + ", which does not divide the enclosing level's " + levels.get(i - 1).nodesPerDomain());
      }
    }
    return this;
  }

  public Topology topology() {
    List<Level> out = new ArrayList<>();
    for (LevelSpec l : levels) out.add(new Level(out.size(), l.name(), l.nodeLabel(), l.bandwidthGBps()));
    double cross = crossBlockBandwidthGBps != null ? crossBlockBandwidthGBps : levels.get(0).bandwidthGBps();
    return new Topology(out, cross);
  }

  public String nodeName(int i) {
    int width = Integer.toString(nodes.count() - 1).length();
    return nodes.namePrefix() + String.format("%0" + width + "d", i);
  }

  /** The topology labels of node {@code i}, as e2e/tools/nodegen writes them. */
  public Map<String, String> labels(int i) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (LevelSpec l : levels) {
      int index = i / l.nodesPerDomain();
      int domains = (nodes.count() + l.nodesPerDomain() - 1) / l.nodesPerDomain();
      int width = Integer.toString(domains - 1).length();
      String value = switch (l.nodeLabel()) {
        case HOSTNAME -> nodeName(i);
        case CLIQUE -> clusterUUID + "." + index;
        default -> (l.valuePrefix() == null ? "" : l.valuePrefix()) + String.format("%0" + width + "d", index);
      };
      labels.put(l.nodeLabel(), value);
    }
    return Map.copyOf(labels);
  }

  /** Index of the outermost domain (block) node {@code i} lies in. */
  public int blockOf(int i) {
    return i / levels.get(0).nodesPerDomain();
  }
}
