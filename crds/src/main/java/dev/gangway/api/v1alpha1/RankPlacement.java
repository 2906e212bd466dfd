package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RankPlacement {

  @JsonPropertyDescription("Rank index, 0-based.")
  private Integer rank;

  @JsonPropertyDescription("Node the rank runs on.")
  private String node;

  @JsonPropertyDescription("Name of the rank's pod in the current attempt.")
  private String pod;

  public RankPlacement() {
  }

  public RankPlacement(int rank, String node, String pod) {
    this.rank = rank;
    this.node = node;
    this.pod = pod;
  }

  public Integer getRank() { return rank; }
  public void setRank(Integer rank) { this.rank = rank; }
  public String getNode() { return node; }
  public void setNode(String node) { this.node = node; }
  public String getPod() { return pod; }
  public void setPod(String pod) { this.pod = pod; }

  @Override
  public boolean equals(Object o) {
    return o instanceof RankPlacement r && Objects.equals(rank, r.rank) && Objects.equals(node, r.node) && Objects.equals(pod, r.pod);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rank, node, pod);
  }
}
