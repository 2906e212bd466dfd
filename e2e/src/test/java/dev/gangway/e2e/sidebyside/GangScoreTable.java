package dev.gangway.e2e.sidebyside;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each multi-rank gang's placement as measured when it first stood whole: domains spanned and ring crossings per level
 * beside the bound the cluster allowed at that moment, and the predicted all-reduce over its bound. The side-by-side
 * table gives means; this says which gangs make a difference between two contenders.
 */
public final class GangScoreTable {
  private GangScoreTable() {
  }

  /**
   * @param scores placement measure of each job that stood whole, by job name
   * @param levels level names to report, outermost first
   */
  public static String render(String contender, List<ReplayJob> stream, Map<String, PlacementScore.Score> scores, List<String> levels) {
    StringBuilder out = new StringBuilder(contender + ": each gang when it stood whole, domains / ring crossings (bound)\n| job | ranks |");
    levels.forEach(l -> out.append(' ').append(l).append(" |"));
    out.append(" all-reduce vs bound |\n|---|---|").append("---|".repeat(levels.size() + 1)).append('\n');
    for (ReplayJob j : stream) {
      if (j.replicas() == 1) continue;
      PlacementScore.Score s = scores.get(j.name());
      out.append("| ").append(j.name()).append(" | ").append(j.replicas()).append(" |");
      if (s == null) {
        out.append(" never whole |".repeat(levels.size() + 1)).append('\n');
        continue;
      }
      for (String l : levels) {
        out.append(String.format(Locale.ROOT, " %d / %d (%d / %d) |", s.quality().domainsSpanned().getOrDefault(l, 0),
            s.quality().ringCrossings().getOrDefault(l, 0), s.quality().lowerBoundDomains().getOrDefault(l, 0),
            s.quality().lowerBoundCrossings().getOrDefault(l, 0)));
      }
      out.append(String.format(Locale.ROOT, " %.2f |%n", s.quality().allReduceVsBound()));
    }
    return out.toString();
  }
}
