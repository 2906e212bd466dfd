package dev.gangway.sim.job;

import dev.gangway.sim.clock.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded stream of ordinary jobs: Poisson arrivals sized so that they ask for {@code load} of the
 * GPUs they may use on average; 30 % single-node jobs of 1, 2, 4 or 8 GPUs, 70 % gangs of 2^k whole
 * nodes (k = 0 … maxLog2Nodes, weight 1/(k+1)); exponential work with the given mean; preferred level
 * the outermost one, as a user asks "keep it in one block if you can".
 */
public final class MixedStream {

  private MixedStream() {
  }

  public static List<JobSpec> generate(int gpusAvailable, int gpusPerNode, int maxLog2Nodes, double load, double meanWorkHours,
      long horizon, String preferredLevel, Random rnd) {
    if (gpusAvailable <= 0 || load <= 0) return List.of();
    double[] weights = new double[maxLog2Nodes + 1];
    double sum = 0;
    for (int k = 0; k <= maxLog2Nodes; k++) sum += weights[k] = 1.0 / (k + 1);
    double meanGang = 0;
    for (int k = 0; k <= maxLog2Nodes; k++) meanGang += weights[k] / sum * (1 << k) * gpusPerNode;
    double meanGpus = 0.3 * (1 + 2 + 4 + 8) / 4.0 + 0.7 * meanGang;
    double arrivalsPerHour = load * gpusAvailable / (meanGpus * meanWorkHours);
    List<JobSpec> out = new ArrayList<>();
    double t = 0;
    int id = 0;
    while (true) {
      t += -Math.log(1 - rnd.nextDouble()) / arrivalsPerHour * Durations.HOUR;
      if (t >= horizon) break;
      int replicas;
      int perRank;
      if (rnd.nextDouble() < 0.3) {
        replicas = 1;
        perRank = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
      } else {
        double u = rnd.nextDouble() * sum;
        int k = 0;
        while (k < maxLog2Nodes && (u -= weights[k]) > 0) k++;
        replicas = Math.min(1 << k, Math.max(1, gpusAvailable / gpusPerNode));
        perRank = gpusPerNode;
      }
      long work = Math.max(Durations.MINUTE, Math.round(-Math.log(1 - rnd.nextDouble()) * meanWorkHours * Durations.HOUR));
      out.add(new JobSpec(String.format("stream/job-%05d", id++), replicas, perRank, 0, (long) t, work, Durations.minutes(2),
          Durations.minutes(1), Durations.minutes(1), replicas > 1 ? preferredLevel : null, false));
    }
    return out;
  }
}
