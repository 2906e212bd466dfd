package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.groupSize) || self.groupSize == 1 || has(self.groupLevel)",
    message = "spec.topology.groupLevel is required when groupSize is greater than 1: name the level (e.g. nvlink-domain) each group of ranks must share")
public class TopologySpec {

  /**
   * Out-of-the-box operator default for an unset waitForTighterSeconds; the platform may change it (Helm value
   * placement.waitForTighterSeconds), for a job's first placement only. 30 s: on NVL72 racks, with it, gangs were placed at their bound and on as few racks as
   * Kueue TAS places them or fewer, with no worse start times over the stream (bench/README.md).
   */
  public static final int DEFAULT_WAIT_FOR_TIGHTER_SECONDS = 30;

  @JsonPropertyDescription("Name of the ClusterTopology to place against. Default: the ClusterTopology named 'default', "
      + "or the only one if the cluster has exactly one. While no ClusterTopology is chosen (the named one does not exist yet), "
      + "a job with topology levels waits with Placed=False, reason TopologyNotFound, and no pods, and starts once it exists.")
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

  @Min(0)
  @Max(86_400)
  @JsonPropertyDescription("Seconds the gang may hold out for a tighter placement. When it fits now but would span fewer "
      + "domains (blocks, then racks or NVLink domains: the levels whose links are faster than those above them) on the "
      + "nodes usable now were they idle, or as few but with a faster ring there (ranks that could share a node split over "
      + "nodes that are each an NVLink domain), or as fast there but on fewer domains of the other levels of several nodes "
      + "(racks and blocks no faster than what joins them: fewer leave whole ones free for larger gangs), it waits, holding "
      + "that tighter capacity against gangs queued behind it, until this many seconds after it began waiting to be placed (on a restart too); then it takes the best placement there "
      + "is. Its Placed condition says WaitingForTighterPlacement meanwhile. 0: placed as soon as it fits. At most a day. "
      + "Unset: the operator's default for a job's first placement, " + DEFAULT_WAIT_FOR_TIGHTER_SECONDS + " unless the platform "
      + "changed it (Helm value placement.waitForTighterSeconds); 0 on a restart, whose whole gang would wait idle, and for "
      + "ranks that ask for no GPUs, whose traffic does not use the GPU links a tighter placement is measured in.")
  private Integer waitForTighterSeconds;

  public String getTopologyName() { return topologyName; }
  public void setTopologyName(String topologyName) { this.topologyName = topologyName; }
  public String getRequired() { return required; }
  public void setRequired(String required) { this.required = required; }
  public String getPreferred() { return preferred; }
  public void setPreferred(String preferred) { this.preferred = preferred; }
  public Integer getGroupSize() { return groupSize; }
  public void setGroupSize(Integer groupSize) { this.groupSize = groupSize; }
  public String getGroupLevel() { return groupLevel; }
  public Integer getWaitForTighterSeconds() { return waitForTighterSeconds; }
  public void setWaitForTighterSeconds(Integer waitForTighterSeconds) { this.waitForTighterSeconds = waitForTighterSeconds; }
  public void setGroupLevel(String groupLevel) { this.groupLevel = groupLevel; }
}
