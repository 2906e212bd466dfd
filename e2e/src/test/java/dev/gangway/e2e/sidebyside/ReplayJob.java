package dev.gangway.e2e.sidebyside;

import dev.gangway.bench.ScenarioRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One job of the seeded stream as the real cluster replays it: simulated hours turned into seconds of wall clock.
 *
 * @param name object name, the same in every contender's namespace
 * @param applyAtSeconds when to apply it, from the start of the replay
 * @param runSeconds how long each rank runs before it succeeds (KWOK's {@code gangway.dev/e2e-succeed-after})
 * @param groupSize consecutive ranks that must share an NVLink domain (a TP group); 1 for none
 */
public record ReplayJob(String name, double applyAtSeconds, int runSeconds, int replicas, int gpusPerRank, int groupSize) {

  /**
   * The stream's jobs with {@code secondsPerHour} seconds of wall clock for each simulated hour, each rank running at
   * least {@code minRunSeconds}: long enough that a gang's ranks, started within seconds of each other, are seen
   * Running together before the first one finishes.
   */
  public static List<ReplayJob> of(List<ScenarioRunner.Job> jobs, double secondsPerHour, int minRunSeconds) {
    if (jobs.isEmpty()) return List.of();
    double first = jobs.get(0).arrival();
    List<ReplayJob> out = new ArrayList<>(jobs.size());
    for (ScenarioRunner.Job j : jobs) {
      double applyAt = (j.arrival() - first) / 3600 * secondsPerHour;
      int run = (int) Math.max(minRunSeconds, Math.round(j.duration() / 3600 * secondsPerHour));
      out.add(new ReplayJob(String.format(Locale.ROOT, "j%03d", j.id()), applyAt, run, j.replicas(), j.gpusPerRank(), j.groupSize()));
    }
    return List.copyOf(out);
  }

  public int gpus() {
    return replicas * gpusPerRank;
  }

  /** Whether its ranks form TP groups that must each stay in one NVLink domain. */
  public boolean grouped() {
    return groupSize > 1;
  }
}
