package dev.gangway.bench;

import dev.gangway.bench.ScenarioRunner.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Seeded job stream of tensor-parallel gangs: ranks of 4 GPUs (one GB200 tray, half an H100 node), TP
 * groups of 4, 8, 16 or 72 GPUs (1, 2, 4 or 18 ranks) that must each stay inside one NVLink domain, and a
 * data-parallel degree of 2^k groups. 20 % of the jobs are single ranks of 1, 2 or 4 GPUs, which leave
 * trays partly used. A TP size no NVLink domain of the shape can hold, given the background occupancy,
 * is left out (TP 16 and 72 on H100 nodes), and the data-parallel degree stays at most half the groups
 * the cluster could hold, so every job fits the cluster when it is otherwise idle.
 */
public final class TpStream {

  public static final int GPUS_PER_RANK = 4;
  static final int[] TP_SIZES = {4, 8, 16, 72};
  private static final double[] TP_WEIGHTS = {0.3, 0.3, 0.2, 0.2};

  private TpStream() {
  }

  public static List<Job> jobs(int count, long seed, double load, Shapes.Shape shape, int[] background) {
    Map<Integer, Long> fits = new TreeMap<>();
    for (int tp : TP_SIZES) {
      long groups = groupsThatFit(shape, background, tp / GPUS_PER_RANK);
      if (groups > 0) fits.put(tp, groups);
    }
    Random rnd = new Random(seed);
    List<int[]> shapes = new ArrayList<>();
    double gpuHours = 0;
    double meanHours = 2.0;
    for (int i = 0; i < count; i++) {
      int[] s; // replicas, GPUs per rank, group size
      if (rnd.nextDouble() < 0.2) {
        int[] small = {1, 2, 4};
        s = new int[] {1, small[rnd.nextInt(small.length)], 1};
      } else {
        int tp = pick(rnd, fits);
        int groupSize = tp / GPUS_PER_RANK;
        int kMax = 0;
        while ((2L << kMax) <= fits.get(tp) / 2) kMax++;
        int dp = 1 << weightedK(rnd, kMax);
        s = new int[] {dp * groupSize, GPUS_PER_RANK, groupSize};
      }
      shapes.add(s);
      gpuHours += s[0] * s[1] * meanHours;
    }
    long freeGpus = shape.gpus() - java.util.Arrays.stream(background).sum();
    double ratePerHour = load * freeGpus / (gpuHours / count);
    List<Job> jobs = new ArrayList<>();
    double t = 0;
    for (int i = 0; i < count; i++) {
      t += -Math.log(1 - rnd.nextDouble()) / ratePerHour * 3600;
      double duration = -Math.log(1 - rnd.nextDouble()) * meanHours * 3600;
      int[] s = shapes.get(i);
      jobs.add(new Job(i, t, duration, s[0], s[1], s[2]));
    }
    return jobs;
  }

  /** Groups of {@code groupSize} 4-GPU ranks that fit whole inside NVLink domains, around the background use. */
  static long groupsThatFit(Shapes.Shape shape, int[] background, int groupSize) {
    Map<String, Long> ranks = new TreeMap<>();
    for (int i = 0; i < shape.nodes(); i++) {
      ranks.merge(shape.nvlinkDomain(i), (long) ((shape.slots().get(i).gpus() - background[i]) / GPUS_PER_RANK), Long::sum);
    }
    return ranks.values().stream().mapToLong(r -> r / groupSize).sum();
  }

  /** e.g. "jobs by TP size: single-rank 240, TP4 290, TP8 ..." */
  public static String describe(List<Job> jobs) {
    Map<String, Integer> n = new TreeMap<>();
    for (Job j : jobs) {
      String key = j.replicas() == 1 && j.gpus() < GPUS_PER_RANK ? "single rank <4 GPUs" : "TP" + (j.groupSize() * j.gpusPerRank());
      n.merge(key, 1, Integer::sum);
    }
    int maxGpus = jobs.stream().mapToInt(Job::gpus).max().orElse(0);
    return String.format(Locale.ROOT, "jobs by TP size: %s; largest gang %d GPUs; ranks of %d GPUs, TP groups within one nvlink-domain",
        n, maxGpus, GPUS_PER_RANK);
  }

  private static int pick(Random rnd, Map<Integer, Long> fits) {
    double total = 0;
    for (int i = 0; i < TP_SIZES.length; i++) if (fits.containsKey(TP_SIZES[i])) total += TP_WEIGHTS[i];
    double x = rnd.nextDouble() * total;
    int last = -1;
    for (int i = 0; i < TP_SIZES.length; i++) {
      if (!fits.containsKey(TP_SIZES[i])) continue;
      last = TP_SIZES[i];
      if (x < TP_WEIGHTS[i]) return last;
      x -= TP_WEIGHTS[i];
    }
    return last;
  }

  /** k in 0..kMax, weight 1/(k+1): smaller data-parallel degrees are more likely. */
  private static int weightedK(Random rnd, int kMax) {
    double total = 0;
    for (int k = 0; k <= kMax; k++) total += 1.0 / (k + 1);
    double x = rnd.nextDouble() * total;
    int k = 0;
    while (k < kMax && x > 1.0 / (k + 1)) x -= 1.0 / (k++ + 1);
    return k;
  }
}
