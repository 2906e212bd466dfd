package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlacementStatus {

  @JsonPropertyDescription("Node of each rank, in rank order.")
  private List<RankPlacement> ranks = new ArrayList<>();

  @JsonPropertyDescription("Number of distinct domains the gang spans at each topology level (level name to count).")
  private Map<String, Integer> domainsSpanned = new LinkedHashMap<>();

  public List<RankPlacement> getRanks() { return ranks; }
  public void setRanks(List<RankPlacement> ranks) { this.ranks = ranks; }
  public Map<String, Integer> getDomainsSpanned() { return domainsSpanned; }
  public void setDomainsSpanned(Map<String, Integer> domainsSpanned) { this.domainsSpanned = domainsSpanned; }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlacementStatus p && Objects.equals(ranks, p.ranks) && Objects.equals(domainsSpanned, p.domainsSpanned);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ranks, domainsSpanned);
  }
}
