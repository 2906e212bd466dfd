package dev.gangway.placement;

/**
 * The fewest domains whose capacities reach a need, largest first (exact for one level on its own), counted over a
 * histogram of capacities clamped to the need: a pass over need+1 buckets instead of a sort.
 */
final class FewestDomains {

  private FewestDomains() {
  }

  /**
   * {@code howMany[c]} is the number of domains with capacity c, for c up to {@code top} (capacities above the need
   * counted at the need, which changes no answer). Returns how many of them reach {@code need}, or as many as there
   * are when they do not.
   */
  static int count(int[] howMany, int top, long need) {
    int count = 0;
    long sum = 0;
    for (int c = top; c > 0 && sum < need; c--) {
      int take = howMany[c];
      if (take == 0) continue;
      long needed = (need - sum + c - 1) / c;
      long used = Math.min(take, needed);
      sum += used * c;
      count += (int) used;
    }
    return count;
  }
}
