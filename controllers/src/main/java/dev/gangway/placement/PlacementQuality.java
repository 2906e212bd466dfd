package dev.gangway.placement;

import java.util.Map;

/**
 * How good a placement is for the gang's collectives, next to the best the free capacity allowed.
 * Maps are keyed by level name, outermost first.
 *
 * @param domainsSpanned distinct domains the gang uses at each level
 * @param ringCrossings hops of the ring 0→1→…→n−1→0 that leave a domain of that level
 * @param slowestLink level whose bandwidth bounds the ring ("cross-block" when hops share no level)
 * @param predictedAllReduceSeconds ring all-reduce time of {@code messageBytes}: 2(p−1)/p · n / B
 * @param ringCost sum over ring hops of 1/bandwidth, seconds per GB; the scalar to compare placements by (lower is better)
 * @param lowerBoundDomains fewest domains any placement could use at each level, given the free capacity
 * @param lowerBoundCrossings ring hops per level such a placement would need
 * @param lowerBoundAllReduceSeconds predicted time at the lower bound
 * @param lowerBoundRingCost ring cost at the lower bound
 * @param preferredMet whether the gang fits in one domain of its preferred level (true when none was asked)
 */
public record PlacementQuality(Map<String, Integer> domainsSpanned, Map<String, Integer> ringCrossings, String slowestLink,
    double predictedAllReduceSeconds, double ringCost, Map<String, Integer> lowerBoundDomains,
    Map<String, Integer> lowerBoundCrossings, double lowerBoundAllReduceSeconds, double lowerBoundRingCost,
    boolean preferredMet, long messageBytes) {

  /** Predicted all-reduce time over the best possible; 1.0 means as good as the capacity allowed. */
  public double allReduceVsBound() {
    return lowerBoundAllReduceSeconds <= 0 ? 1.0 : predictedAllReduceSeconds / lowerBoundAllReduceSeconds;
  }

  /** Ring cost over the best possible. */
  public double ringCostVsBound() {
    return lowerBoundRingCost <= 0 ? 1.0 : ringCost / lowerBoundRingCost;
  }

  /** Ring hops leaving a domain, summed over levels. */
  public int totalRingCrossings() {
    return ringCrossings.values().stream().mapToInt(Integer::intValue).sum();
  }
}
