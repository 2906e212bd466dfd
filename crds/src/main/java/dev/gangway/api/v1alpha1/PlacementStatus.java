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

  @JsonPropertyDescription("Hops of the ring over ranks 0..n-1..0 that leave a domain, per level: what rank order saves.")
  private Map<String, Integer> ringCrossings;

  @JsonPropertyDescription("Fewest domains any placement could have used at each level, given the free capacity when placed.")
  private Map<String, Integer> lowerBoundDomains;

  @JsonPropertyDescription("Level whose bandwidth bounds the ring (the slowest link it crosses).")
  private String slowestLink;

  @JsonPropertyDescription("Predicted ring all-reduce time of a 1 GiB message over this placement, in milliseconds.")
  private Double predictedAllReduceMillis;

  @JsonPropertyDescription("Predicted ring all-reduce time at the lower bound, in milliseconds; equal to "
      + "predictedAllReduceMillis when the placement is as good as the free capacity allowed.")
  private Double lowerBoundAllReduceMillis;

  @JsonPropertyDescription("When Gangway assigned the gang to nodes (RFC 3339).")
  private String placedTime;

  @JsonPropertyDescription("Nodes this job's placement avoids for a while because a rank placed there did not bind "
      + "within the bind timeout; the next decision is made without them.")
  private List<AvoidedNode> avoidedNodes;

  public List<RankPlacement> getRanks() { return ranks; }
  public void setRanks(List<RankPlacement> ranks) { this.ranks = ranks; }
  public Map<String, Integer> getDomainsSpanned() { return domainsSpanned; }
  public void setDomainsSpanned(Map<String, Integer> domainsSpanned) { this.domainsSpanned = domainsSpanned; }
  public Map<String, Integer> getRingCrossings() { return ringCrossings; }
  public void setRingCrossings(Map<String, Integer> ringCrossings) { this.ringCrossings = ringCrossings; }
  public Map<String, Integer> getLowerBoundDomains() { return lowerBoundDomains; }
  public void setLowerBoundDomains(Map<String, Integer> lowerBoundDomains) { this.lowerBoundDomains = lowerBoundDomains; }
  public String getSlowestLink() { return slowestLink; }
  public void setSlowestLink(String slowestLink) { this.slowestLink = slowestLink; }
  public Double getPredictedAllReduceMillis() { return predictedAllReduceMillis; }
  public void setPredictedAllReduceMillis(Double predictedAllReduceMillis) { this.predictedAllReduceMillis = predictedAllReduceMillis; }
  public Double getLowerBoundAllReduceMillis() { return lowerBoundAllReduceMillis; }
  public void setLowerBoundAllReduceMillis(Double lowerBoundAllReduceMillis) { this.lowerBoundAllReduceMillis = lowerBoundAllReduceMillis; }
  public String getPlacedTime() { return placedTime; }
  public void setPlacedTime(String placedTime) { this.placedTime = placedTime; }
  public List<AvoidedNode> getAvoidedNodes() { return avoidedNodes; }
  public void setAvoidedNodes(List<AvoidedNode> avoidedNodes) { this.avoidedNodes = avoidedNodes; }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlacementStatus p && Objects.equals(ranks, p.ranks) && Objects.equals(domainsSpanned, p.domainsSpanned)
        && Objects.equals(ringCrossings, p.ringCrossings) && Objects.equals(lowerBoundDomains, p.lowerBoundDomains)
        && Objects.equals(slowestLink, p.slowestLink) && Objects.equals(predictedAllReduceMillis, p.predictedAllReduceMillis)
        && Objects.equals(lowerBoundAllReduceMillis, p.lowerBoundAllReduceMillis) && Objects.equals(placedTime, p.placedTime)
        && Objects.equals(avoidedNodes, p.avoidedNodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ranks, domainsSpanned, ringCrossings, lowerBoundDomains, slowestLink, predictedAllReduceMillis,
        lowerBoundAllReduceMillis, placedTime, avoidedNodes);
  }
}
