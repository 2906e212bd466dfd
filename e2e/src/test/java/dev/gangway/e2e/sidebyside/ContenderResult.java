package dev.gangway.e2e.sidebyside;

import dev.gangway.e2e.chaos.Percentiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One contender's figures over the stream: apply → all ranks Running at once (p50/p95), jobs completed per minute and
 * GPU utilisation over the run (first apply to last completion), and for every multi-rank gang that stood whole, domains
 * spanned and ring crossings per level beside the lower bound, TP groups split, the preferred level met; and what it did
 * not honour.
 */
public record ContenderResult(Contender contender, int jobs, int whole, int completed, Percentiles toWhole,
    double makespanSeconds, double gpuUtilisation, int multiRank, Map<String, double[]> perLevel, int tpGroups, int tpGroupsSplit,
    int preferredMet, double allReduceVsBoundMean, int atBound, List<String> notHonoured) {

  /**
   * @param timeline the contender's pods over its run
   * @param scores placement measure of each job that stood whole, by job name
   * @param endNanos when the run stopped watching
   * @param clusterGpus GPUs of the whole cluster
   * @param levels level names to report, outermost first (the host level left out)
   * @param refused jobs the API server refused at apply, each with its message
   */
  public static ContenderResult of(Contender contender, List<ReplayJob> stream, ReplayTimeline timeline, Map<String, PlacementScore.Score> scores,
      long endNanos, long clusterGpus, List<String> levels, List<String> refused) {
    List<Duration> toWhole = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    int completed = 0;
    int neverWhole = 0;
    List<String> neverWholeJobs = new ArrayList<>();
    int partlyRan = 0;
    for (ReplayJob j : stream) {
      Long applied = timeline.appliedAt(j.name());
      if (applied == null) continue;
      first = Math.min(first, applied);
      ReplayTimeline.Whole w = timeline.whole().get(j.name());
      if (w != null) {
        toWhole.add(Duration.ofNanos(w.atNanos() - applied));
      } else {
        neverWhole++;
        neverWholeJobs.add(j.name() + " (" + j.replicas() + " ranks, " + timeline.ranksEverRunning(j.name()) + " ever Running)");
        if (timeline.ranksEverRunning(j.name()) > 0) partlyRan++;
      }
      Long done = timeline.completedAt(j.name());
      if (done != null) {
        completed++;
        last = Math.max(last, done);
      }
    }
    if (last == Long.MIN_VALUE) last = endNanos;
    double makespan = first == Long.MAX_VALUE ? 0 : (last - first) / 1e9;
    double util = makespan <= 0 ? 0 : timeline.gpuSecondsUntil(last) / (clusterGpus * makespan);

    Map<String, double[]> perLevel = new LinkedHashMap<>();
    for (String l : levels) perLevel.put(l, new double[4]); // domains, bound domains, crossings, bound crossings
    int multi = 0;
    int groups = 0;
    int split = 0;
    int preferred = 0;
    int atBound = 0;
    double ratio = 0;
    for (ReplayJob j : stream) {
      PlacementScore.Score s = scores.get(j.name());
      if (s == null) continue;
      groups += s.tpGroups();
      split += s.tpGroupsSplit();
      if (j.replicas() == 1) continue; // one rank: no ring
      multi++;
      for (String l : levels) {
        double[] a = perLevel.get(l);
        a[0] += s.quality().domainsSpanned().getOrDefault(l, 0);
        a[1] += s.quality().lowerBoundDomains().getOrDefault(l, 0);
        a[2] += s.quality().ringCrossings().getOrDefault(l, 0);
        a[3] += s.quality().lowerBoundCrossings().getOrDefault(l, 0);
      }
      if (s.quality().preferredMet()) preferred++;
      ratio += s.quality().allReduceVsBound();
      if (s.quality().allReduceVsBound() <= 1 + 1e-9) atBound++;
    }
    List<String> notHonoured = new ArrayList<>();
    if (!refused.isEmpty()) notHonoured.add(refused.size() + " job(s) refused at apply: " + String.join("; ", refused));
    if (neverWhole > 0) {
      notHonoured.add(String.format(Locale.ROOT, "%d job(s) never had all ranks Running at once%s: %s", neverWhole,
          partlyRan > 0 ? " (" + partlyRan + " of them ran part of their ranks: no gang)" : "", String.join(", ", neverWholeJobs)));
    }
    if (split > 0) notHonoured.add(String.format(Locale.ROOT, "%d of %d TP groups split across NVLink domains", split, groups));
    if (multi - preferred > 0) {
      notHonoured.add(String.format(Locale.ROOT, "%d of %d gangs not in one %s (preferred)", multi - preferred, multi, JobManifests.PREFERRED_LEVEL));
    }
    if (completed < timelineApplied(stream, timeline)) {
      notHonoured.add((timelineApplied(stream, timeline) - completed) + " job(s) not completed when the run ended");
    }
    return new ContenderResult(contender, stream.size(), toWhole.size(), completed, Percentiles.of(toWhole), makespan, util, multi,
        perLevel, groups, split, preferred, multi == 0 ? Double.NaN : ratio / multi, atBound, List.copyOf(notHonoured));
  }

  private static int timelineApplied(List<ReplayJob> stream, ReplayTimeline timeline) {
    return (int) stream.stream().filter(j -> timeline.appliedAt(j.name()) != null).count();
  }

  public double jobsPerMinute() {
    return makespanSeconds <= 0 ? 0 : completed / (makespanSeconds / 60);
  }

  /** Mean per multi-rank gang of {@code which}: 0 domains, 1 their bound, 2 ring crossings, 3 their bound. */
  public double perGang(String level, int which) {
    return multiRank == 0 ? Double.NaN : perLevel.get(level)[which] / multiRank;
  }
}
