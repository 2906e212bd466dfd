package dev.gangway.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When each worker of e2e/clients/crash_once_torch.py all-reduced, round by round (a worker restarted in place
 * reports again), and when one crashed; times are the workers' own wall clock, in seconds. Rounds are told apart by
 * each worker's order of reports, not by time: a report and the crash can carry the same millisecond.
 */
record WorkerRounds(Map<Integer, List<Double>> reportsByRank, double crashedAt) {
  private static final Pattern RESULT = Pattern.compile("RESULT client=torch world=\\d+ rank=(\\d+) sum=\\d+ .*?at=([0-9.]+)");
  private static final Pattern CRASH = Pattern.compile("CRASH rank=\\d+ at=([0-9.]+)");

  static WorkerRounds of(LocalRanks.Run run) {
    Map<Integer, List<Double>> byRank = new TreeMap<>();
    double crashed = Double.NaN;
    for (String out : run.output().values()) {
      Matcher result = RESULT.matcher(out);
      while (result.find()) {
        byRank.computeIfAbsent(Integer.parseInt(result.group(1)), r -> new ArrayList<>()).add(Double.parseDouble(result.group(2)));
      }
      Matcher crash = CRASH.matcher(out);
      if (crash.find()) {
        crashed = Double.parseDouble(crash.group(1));
      }
    }
    byRank.values().forEach(list -> list.sort(null));
    return new WorkerRounds(byRank, crashed);
  }

  /** How many rounds every worker reported (the fewest of any worker). */
  int completeRounds() {
    return reportsByRank.values().stream().mapToInt(List::size).min().orElse(0);
  }

  /** When the last worker reported in round {@code round} (1-based): the world formed by then. */
  double formed(int round) {
    return reportsByRank.values().stream().mapToDouble(list -> list.get(round - 1)).max().orElseThrow();
  }

  boolean crashed() {
    return !Double.isNaN(crashedAt);
  }
}
