package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Draws a {@link ChaosPlan} from a seed: pure, so one seed always gives the same jobs and faults.
 * Every fault kind occurs at least once; the rest are drawn by {@link #WEIGHTS}. About one job in
 * ten cannot fit (a rank larger than a node, a gang larger than its required domain, or larger than
 * the cluster). Fitting jobs take at most half of a required domain and a quarter of the cluster, so
 * that nodes excluded after failures never make them unplaceable.
 */
public final class ChaosPlanner {
  public static final String HIGH = "gangway-chaos-high";
  public static final String LOW = "gangway-chaos-low";
  /** Relative frequency of each kind beyond the one of each that every plan has. */
  static final int[] WEIGHTS = weights();
  private static final int[] RANK_CHOICES = {1, 2, 4, 8, 16, 32, 64};
  private static final int[] GPU_CHOICES = {1, 2, 4, 8};

  private ChaosPlanner() {
  }

  private static int[] weights() {
    int[] w = new int[FaultKind.values().length];
    w[FaultKind.RETRYABLE_EXIT.ordinal()] = 20;
    w[FaultKind.PERMANENT_EXIT.ordinal()] = 4;
    w[FaultKind.OOM_EXIT.ordinal()] = 10;
    w[FaultKind.NODE_NOT_READY_BLIP.ordinal()] = 5;
    w[FaultKind.NODE_NOT_READY.ordinal()] = 8;
    w[FaultKind.NODE_DELETED.ordinal()] = 6;
    w[FaultKind.NODE_HEALTH_FATAL.ordinal()] = 10;
    w[FaultKind.KILL_LEADER.ordinal()] = 8;
    w[FaultKind.KILL_FOLLOWER.ordinal()] = 5;
    w[FaultKind.RESTART_APISERVER.ordinal()] = 2;
    w[FaultKind.RESTART_SCHEDULER.ordinal()] = 2;
    return w;
  }

  public static ChaosPlan plan(ChaosProfile profile, long seed) {
    Random random = new Random(seed);
    List<JobPlan> jobs = new ArrayList<>();
    int unfit = Math.max(1, profile.jobs() / 10);
    for (int i = 0; i < profile.jobs(); i++) {
      // Unfit jobs spread through the stream (every tenth), so they arrive among fitting ones.
      boolean fits = !(i % 10 == 3 && unfit-- > 0);
      jobs.add(job(profile, random, "j%02d".formatted(i), fits));
    }
    jobs.sort(Comparator.comparing(JobPlan::arrival));
    List<Fault> faults = new ArrayList<>();
    for (FaultKind kind : FaultKind.values()) {
      faults.add(fault(profile, random, kind));
    }
    int total = java.util.Arrays.stream(WEIGHTS).sum();
    while (faults.size() < profile.faults()) {
      int x = random.nextInt(total);
      int k = 0;
      while (x >= WEIGHTS[k]) {
        x -= WEIGHTS[k++];
      }
      faults.add(fault(profile, random, FaultKind.values()[k]));
    }
    faults.sort(Comparator.comparing(Fault::at).thenComparing(Fault::kind));
    return new ChaosPlan(seed, profile, jobs, faults);
  }

  private static JobPlan job(ChaosProfile p, Random random, String name, boolean fits) {
    ClusterShape shape = p.shape();
    Duration arrival = Duration.ofMillis((long) (random.nextDouble() * p.arrivals().toMillis()));
    Duration runFor = p.minRun().plusMillis((long) (random.nextDouble() * (p.maxRun().toMillis() - p.minRun().toMillis())));
    Duration deleteAfter = random.nextInt(10) == 0 ? Duration.ofMillis(5000 + (long) (random.nextDouble() * runFor.toMillis())) : null;
    String priority = random.nextInt(10) < 3 ? HIGH : LOW;
    int maxRestarts = 2 + random.nextInt(5);
    if (!fits) {
      return switch (random.nextInt(3)) {
        // One rank wants more GPUs than any node has.
        case 0 -> new JobPlan(name, 1 + random.nextInt(2), shape.gpusPerNode() * 2, null, 0, null, priority, arrival, runFor,
            deleteAfter, maxRestarts, 10, false);
        // Two full nodes' worth of GPUs required on one host.
        case 1 -> new JobPlan(name, 2, shape.gpusPerNode(), "host", 0, null, priority, arrival, runFor, deleteAfter, maxRestarts, 10,
            false);
        // More GPUs than the cluster has.
        default -> new JobPlan(name, shape.nodes() + 1, shape.gpusPerNode(), null, 0, null, priority, arrival, runFor, deleteAfter,
            maxRestarts, 10, false);
      };
    }
    int gpus = GPU_CHOICES[random.nextInt(GPU_CHOICES.length)];
    int ranks;
    do {
      // Small gangs are common, large ones rare: the smallest of two draws.
      ranks = Math.min(RANK_CHOICES[random.nextInt(RANK_CHOICES.length)], RANK_CHOICES[random.nextInt(RANK_CHOICES.length)]);
    } while (ranks > p.maxRanks() || ranks * gpus > shape.gpus() / 4);
    String required = null;
    if (random.nextInt(10) < 3) {
      required = smallestLevelHolding(shape, ranks * gpus * 2);
    }
    int groupSize = 0;
    String groupLevel = null;
    if (ranks >= 4 && random.nextInt(10) < 3) {
      groupSize = Math.min(ranks, 4);
      groupLevel = smallestLevelHolding(shape, groupSize * gpus * 2);
      if (groupLevel == null) {
        groupSize = 0;
      }
    }
    return new JobPlan(name, ranks, gpus, required, groupSize, groupLevel, priority, arrival, runFor, deleteAfter, maxRestarts, 10, true);
  }

  /** The innermost level whose domain has at least {@code gpus} GPUs, or null. */
  private static String smallestLevelHolding(ClusterShape shape, int gpus) {
    for (int i = shape.levels().size() - 1; i >= 0; i--) {
      if (gpus <= shape.domainGpus(shape.levels().get(i).name())) {
        return shape.levels().get(i).name();
      }
    }
    return null;
  }

  private static Fault fault(ChaosProfile p, Random random, FaultKind kind) {
    // Not in the first 15 s: the replicas and the first jobs are still starting.
    long window = p.faultWindow().toMillis() - 15_000;
    Duration at = Duration.ofMillis(15_000 + (long) (random.nextDouble() * window));
    long grace = p.nodeNotReadyGrace().toMillis();
    Duration hold = switch (kind) {
      case NODE_NOT_READY_BLIP -> Duration.ofMillis(grace / 5);
      case NODE_NOT_READY -> Duration.ofMillis(grace * 2);
      case NODE_DELETED -> Duration.ofSeconds(20);
      case NODE_HEALTH_FATAL -> Duration.ofSeconds(30);
      case KILL_LEADER, KILL_FOLLOWER -> Duration.ofSeconds(2 + random.nextInt(7));
      default -> Duration.ZERO;
    };
    return new Fault(at, kind, random.nextInt(1_000_000), hold);
  }
}
