package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.groupSize) || self.groupSize == 1 || has(self.groupLevel)",
    message = "spec.topology.groupLevel is required when groupSize is greater than 1: name the level (e.g. nvlink-domain) each group of ranks must share")
public class TopologySpec {

  @JsonPropertyDescription("Name of the ClusterTopology to place against. Default: the ClusterTopology named 'default', "
      + "or the only one if the cluster has exactly one.")
  private String topologyName;

  @JsonPropertyDescription("Level name (e.g. rack) whose single domain must hold the whole gang. The job waits, with the reason "
      + "in its Placed condition, until one domain at this level has room.")
  private String required;

  @JsonPropertyDescription("Level name the whole gang should share when capacity allows; Gangway otherwise spans as few "
      + "domains as possible.")
  private String preferred;

  @Min(1)
  @JsonPropertyDescription("Size of a group of consecutive ranks (e.g. a tensor-parallel group) that must lie in one domain "
      + "of groupLevel. Must divide replicas.")
  private Integer groupSize;

  @JsonPropertyDescription("Level name (e.g. nvlink-domain) that each group of groupSize consecutive ranks must share.")
  private String groupLevel;

  public String getTopologyName() { return topologyName; }
  public void setTopologyName(String topologyName) { this.topologyName = topologyName; }
  public String getRequired() { return required; }
  public void setRequired(String required) { this.required = required; }
  public String getPreferred() { return preferred; }
  public void setPreferred(String preferred) { this.preferred = preferred; }
  public Integer getGroupSize() { return groupSize; }
  public void setGroupSize(Integer groupSize) { this.groupSize = groupSize; }
  public String getGroupLevel() { return groupLevel; }
  public void setGroupLevel(String groupLevel) { this.groupLevel = groupLevel; }
}
