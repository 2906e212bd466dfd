package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.levels.all(l, self.levels.exists_one(m, m.name == l.name))",
    message = "spec.levels: level names must be unique")
@ValidationRule(value = "self.levels.all(l, self.levels.exists_one(m, m.nodeLabel == l.nodeLabel))",
    message = "spec.levels: each level needs its own nodeLabel")
public class ClusterTopologySpec {

  @Required
  @Size(min = 1, max = 8)
  @JsonPropertyDescription("Levels of the network hierarchy, outermost first (e.g. block, rack, nvlink-domain) and the host "
      + "(kubernetes.io/hostname) last. At most 8.")
  private List<TopologyLevel> levels = new ArrayList<>();

  @Min(0)
  @JsonPropertyDescription("Per-GPU bandwidth in GB/s between GPUs that share no level at all (above the outermost level). "
      + "Default: the outermost level's bandwidth.")
  private Double crossBlockBandwidthGBps;

  public List<TopologyLevel> getLevels() { return levels; }
  public void setLevels(List<TopologyLevel> levels) { this.levels = levels; }
  public Double getCrossBlockBandwidthGBps() { return crossBlockBandwidthGBps; }
  public void setCrossBlockBandwidthGBps(Double crossBlockBandwidthGBps) { this.crossBlockBandwidthGBps = crossBlockBandwidthGBps; }
}
