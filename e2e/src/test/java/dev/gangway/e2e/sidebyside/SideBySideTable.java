package dev.gangway.e2e.sidebyside;

import java.util.List;
import java.util.Locale;

/** The contenders' figures as one Markdown table, the form bench/README.md publishes. */
public final class SideBySideTable {
  private SideBySideTable() {
  }

  public static String render(List<ContenderResult> results, List<String> levels) {
    StringBuilder out = new StringBuilder("| contender | gangs whole / jobs | apply → all ranks Running p50 s | p95 s | jobs/min | GPU util |");
    for (String l : levels) out.append(" domains/gang ").append(l).append(" (bound) |");
    for (String l : levels) out.append(" ring crossings/gang ").append(l).append(" (bound) |");
    out.append(" TP groups split / placed | in one ").append(JobManifests.PREFERRED_LEVEL)
        .append(" | all-reduce vs bound: mean | at bound | could not honour |\n");
    out.append("|---|---|---|---|---|---|").append("---|".repeat(2 * levels.size())).append("---|---|---|---|---|\n");
    for (ContenderResult r : results) {
      out.append(String.format(Locale.ROOT, "| %s | %d / %d | %.1f | %.1f | %.2f | %.1f%% |", r.contender().title(), r.whole(), r.jobs(),
          seconds(r.toWhole().p50()), seconds(r.toWhole().p95()), r.jobsPerMinute(), 100 * r.gpuUtilisation()));
      for (String l : levels) out.append(String.format(Locale.ROOT, " %.2f (%.2f) |", r.perGang(l, 0), r.perGang(l, 1)));
      for (String l : levels) out.append(String.format(Locale.ROOT, " %.2f (%.2f) |", r.perGang(l, 2), r.perGang(l, 3)));
      out.append(String.format(Locale.ROOT, " %d / %d | %d / %d | %.3f | %d / %d | %s |%n", r.tpGroupsSplit(), r.tpGroups(), r.preferredMet(),
          r.multiRank(), r.allReduceVsBoundMean(), r.atBound(), r.multiRank(), r.notHonoured().isEmpty() ? "—" : String.join("; ", r.notHonoured())));
    }
    return out.toString();
  }

  private static double seconds(java.time.Duration d) {
    return d == null ? Double.NaN : d.toMillis() / 1000.0;
  }
}
