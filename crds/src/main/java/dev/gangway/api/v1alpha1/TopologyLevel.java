package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TopologyLevel {

  @Required
  @Size(max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("Level name that TrainingJobs refer to in spec.topology (e.g. rack, nvlink-domain); a DNS label.")
  private String name;

  @Required
  @Size(max = 317)
  @JsonPropertyDescription("Node label whose value names the node's domain at this level (e.g. nvidia.com/gpu.clique). "
      + "A node without the label is treated as alone in its own domain at this level.")
  private String nodeLabel;

  @Required
  @Min(0)
  @JsonPropertyDescription("Per-GPU bandwidth in GB/s between two GPUs whose deepest shared domain is this level; used to "
      + "predict collective time and to rank placements.")
  private Double bandwidthGBps;

  public TopologyLevel() {
  }

  public TopologyLevel(String name, String nodeLabel, double bandwidthGBps) {
    this.name = name;
    this.nodeLabel = nodeLabel;
    this.bandwidthGBps = bandwidthGBps;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getNodeLabel() { return nodeLabel; }
  public void setNodeLabel(String nodeLabel) { this.nodeLabel = nodeLabel; }
  public Double getBandwidthGBps() { return bandwidthGBps; }
  public void setBandwidthGBps(Double bandwidthGBps) { this.bandwidthGBps = bandwidthGBps; }
}
