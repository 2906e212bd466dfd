package dev.gangway.decide;

import dev.gangway.placement.PlacementQuality;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The sentences a person reads in the Placed condition. */
final class PlacementMessages {

  private PlacementMessages() {
  }

  /** e.g. "4 ranks on 4 nodes; spans 1 block, 1 rack, 1 nvlink-domain; predicted 1 GiB all-reduce 2.40 ms (best possible 2.40 ms)". */
  static String placed(List<String> nodes, PlacementQuality q) {
    String spans = q.domainsSpanned().entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%d ranks on %d nodes; spans %s; predicted %d MiB all-reduce %.2f ms (best possible %.2f ms)",
        nodes.size(), new HashSet<>(nodes).size(), spans, q.messageBytes() >> 20,
        q.predictedAllReduceSeconds() * 1000, q.lowerBoundAllReduceSeconds() * 1000);
  }
}
