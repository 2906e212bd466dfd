package dev.gangway.bench;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.placement.PlacementResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Placement quality on a stream of gangs: the same seeded jobs (Poisson arrivals, 1–256 nodes, random
 * durations) are run through Gangway's engine and two topology-blind baselines, each on its own copy of
 * the cluster, with the same FIFO queue and backfill window. Reports ring crossings and predicted
 * all-reduce time against the lower bound at each decision, GPU utilisation and wait times. With
 * {@code --stream tp} the jobs are tensor-parallel gangs ({@link TpStream}), a level-aware baseline
 * joins, and the table has ring crossings per level and TP groups split across NVLink domains.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.gangway.bench.ScenarioRunner [--jobs N] [--seed S]
 * [--load L] [--shape hyperscale-2048|superpod-128|nvl72-R|mixed-Rx72-Nxh100] [--window W] [--stream gangs|tp]
 * [--occupancy F]}.
 */
public final class ScenarioRunner {

  /** A gang; {@code groupSize} > 1 means TP groups of that many consecutive ranks, each inside one NVLink domain. */
  public record Job(int id, double arrival, double duration, int replicas, int gpusPerRank, int groupSize) {
    Job(int id, double arrival, double duration, int replicas, int gpusPerRank) {
      this(id, arrival, duration, replicas, gpusPerRank, 1);
    }

    public int gpus() {
      return replicas * gpusPerRank;
    }
  }

  /** What one placer achieved over the whole stream. */
  static final class Tally {
    final String name;
    final List<Double> waits = new ArrayList<>();
    final List<Double> timeRatio = new ArrayList<>();
    final List<Double> costRatio = new ArrayList<>();
    double blockCrossings;
    double rackCrossings;
    double boundBlockCrossings;
    double boundRackCrossings;
    int multiNode;
    int atBound;
    /** GPU-seconds in use and elapsed seconds between the first and the last arrival (ramp-down excluded). */
    double busyGpuSeconds;
    double makespan;
    int clusterGpus;
    final List<Double> decisionMicros = new ArrayList<>();
    /** Ring crossings and their lower bound summed per level name (all levels, for the per-level table). */
    final Map<String, Double> crossings = new java.util.LinkedHashMap<>();
    final Map<String, Double> boundCrossings = new java.util.LinkedHashMap<>();
    /** TP groups placed, and those whose ranks span more than one NVLink domain. */
    int tpGroups;
    int tpGroupsSplit;
    int placed;

    Tally(String name) {
      this.name = name;
    }
  }

  interface Placer {
    /** Node per rank, or null when the gang does not fit now. */
    List<String> place(ClusterSnapshot snapshot, int[] freeGpus, GangRequest req, Tally t);
  }

  public static void main(String[] args) {
    Map<String, String> opt = options(args);
    int jobs = Integer.parseInt(opt.getOrDefault("jobs", "1200"));
    long seed = Long.parseLong(opt.getOrDefault("seed", "1"));
    double load = Double.parseDouble(opt.getOrDefault("load", "0.9"));
    int window = Integer.parseInt(opt.getOrDefault("window", "8"));
    Shapes.Shape named = Shapes.byName(opt.getOrDefault("shape", "hyperscale-2048"));
    if (opt.getOrDefault("names", "shuffled").equals("topological")) {
      // Names that follow the physical order hand first-fit topology for free; the default shuffles them.
      List<String> sorted = new ArrayList<>(named.names());
      sorted.sort(null);
      named = new Shapes.Shape(named.name(), named.topology(), named.slots(), sorted);
    }
    Shapes.Shape shape = named;
    boolean tp = opt.getOrDefault("stream", "gangs").equals("tp");
    int[] background = Shapes.occupancy(shape.capacity(), Double.parseDouble(opt.getOrDefault("occupancy", "0")), 7);
    int backgroundGpus = Arrays.stream(background).sum();
    List<Job> stream = tp ? TpStream.jobs(jobs, seed, load, shape, background)
        : jobs(jobs, seed, load, shape.gpus() - backgroundGpus);

    PlacementEngine engine = new PlacementEngine();
    Placer gangway = (snap, free, req, t) -> {
      long t0 = System.nanoTime();
      PlacementResult r = engine.place(snap, req);
      t.decisionMicros.add((System.nanoTime() - t0) / 1e3);
      if (!r.placed()) return null;
      record(t, r.quality(), req);
      return r.nodes();
    };
    Placer firstFit = (snap, free, req, t) -> measured(engine, snap, req, t, Baselines.firstFit(shape.names(), free, req));
    Placer spread = (snap, free, req, t) -> measured(engine, snap, req, t, Baselines.spread(shape.names(), free, req));

    LevelAwareBaseline levels = new LevelAwareBaseline(shape);
    Placer byLevel = (snap, free, req, t) -> measured(engine, snap, req, t, levels.place(free, req));

    System.out.printf(Locale.ROOT, "shape %s: %d nodes, %d GPUs, node names %s; %d jobs, offered load %.2f, seed %d, backfill window %d%n",
        shape.name(), shape.nodes(), shape.gpus(), opt.getOrDefault("names", "shuffled"), jobs, load,
        seed, window);
    if (backgroundGpus > 0) {
      System.out.printf(Locale.ROOT, "fragmented background occupancy (never freed): %d GPUs on %d nodes%n", backgroundGpus,
          Arrays.stream(background).filter(u -> u > 0).count());
    }
    if (tp) System.out.println(TpStream.describe(stream));
    List<Tally> tallies = new ArrayList<>();
    tallies.add(run(shape, stream, "gangway best-fit", gangway, window, background));
    tallies.add(run(shape, stream, "first-fit by name", firstFit, window, background));
    tallies.add(run(shape, stream, "spread (least-alloc)", spread, window, background));
    if (tp) {
      tallies.add(run(shape, stream, "TAS-like by level (imitation)", byLevel, window, background));
      printByLevel(shape, tallies);
    } else {
      print(tallies);
    }
  }

  private static List<String> measured(PlacementEngine engine, ClusterSnapshot snap, GangRequest req, Tally t, List<String> nodes) {
    if (nodes != null) record(t, engine.measure(snap, req, nodes), req);
    return nodes;
  }

  private static void record(Tally t, PlacementQuality q, GangRequest req) {
    if (req.replicas() == 1) return; // one rank: no ring to cross anything
    t.multiNode++;
    q.ringCrossings().forEach((level, c) -> t.crossings.merge(level, (double) c, Double::sum));
    q.lowerBoundCrossings().forEach((level, c) -> t.boundCrossings.merge(level, (double) c, Double::sum));
    t.blockCrossings += q.ringCrossings().get("block");
    t.rackCrossings += q.ringCrossings().get("rack");
    t.boundBlockCrossings += q.lowerBoundCrossings().get("block");
    t.boundRackCrossings += q.lowerBoundCrossings().get("rack");
    t.timeRatio.add(q.allReduceVsBound());
    t.costRatio.add(q.ringCostVsBound());
    if (q.allReduceVsBound() <= 1.0 + 1e-9) t.atBound++;
  }

  /** Seeded job stream for {@code clusterGpus} GPUs: 30% single-node jobs of 1–8 GPUs, 70% gangs of 2^k whole nodes (k = 0..8, smaller more likely, at most the cluster). */
  static List<Job> jobs(int count, long seed, double load, int clusterGpus) {
    Random rnd = new Random(seed);
    List<int[]> shapes = new ArrayList<>();
    double gpuHours = 0;
    double meanHours = 2.0;
    for (int i = 0; i < count; i++) {
      int[] s;
      if (rnd.nextDouble() < 0.3) {
        int[] small = {1, 2, 4, 8};
        s = new int[] {1, small[rnd.nextInt(small.length)]};
      } else {
        double[] weights = {1, 1 / 2.0, 1 / 3.0, 1 / 4.0, 1 / 5.0, 1 / 6.0, 1 / 7.0, 1 / 8.0, 1 / 9.0};
        double total = Arrays.stream(weights).sum();
        double x = rnd.nextDouble() * total;
        int k = 0;
        while (x > weights[k]) x -= weights[k++];
        // A gang larger than the cluster would block the FIFO head for ever (superpod-128 has 128 nodes).
        while (k > 0 && (8L << k) > clusterGpus) k--;
        s = new int[] {1 << k, 8};
      }
      shapes.add(s);
      gpuHours += s[0] * s[1] * meanHours;
    }
    // Arrival rate so that offered GPU-hours per hour = load × cluster GPUs.
    double meanGpusHours = gpuHours / count;
    double ratePerHour = load * clusterGpus / meanGpusHours;
    List<Job> jobs = new ArrayList<>();
    double t = 0;
    for (int i = 0; i < count; i++) {
      t += -Math.log(1 - rnd.nextDouble()) / ratePerHour * 3600;
      double duration = -Math.log(1 - rnd.nextDouble()) * meanHours * 3600;
      jobs.add(new Job(i, t, duration, shapes.get(i)[0], shapes.get(i)[1]));
    }
    return jobs;
  }

  static Tally run(Shapes.Shape shape, List<Job> stream, String name, Placer placer, int window) {
    return run(shape, stream, name, placer, window, new int[shape.nodes()]);
  }

  /** Runs the stream on a cluster where {@code background[i]} GPUs of node i stay in use throughout. */
  static Tally run(Shapes.Shape shape, List<Job> stream, String name, Placer placer, int window, int[] background) {
    Tally t = new Tally(name);
    int n = shape.nodes();
    int[] capacity = shape.capacity();
    t.clusterGpus = shape.gpus() - Arrays.stream(background).sum();
    Map<String, Integer> indexOf = new HashMap<>();
    for (int i = 0; i < n; i++) indexOf.put(shape.names().get(i), i);
    int[] used = background.clone();
    // Events: completions (time, job id, nodes); arrivals are walked in order.
    PriorityQueue<double[]> ends = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
    Map<Integer, int[]> held = new HashMap<>();
    ArrayDeque<Job> queue = new ArrayDeque<>();
    int next = 0;
    double now = stream.get(0).arrival();
    double lastArrival = stream.get(stream.size() - 1).arrival();
    long usedGpus = 0;
    while (next < stream.size() || !queue.isEmpty() || !ends.isEmpty()) {
      double nextArrival = next < stream.size() ? stream.get(next).arrival() : Double.MAX_VALUE;
      double nextEnd = ends.isEmpty() ? Double.MAX_VALUE : ends.peek()[0];
      if (nextArrival == Double.MAX_VALUE && nextEnd == Double.MAX_VALUE) break; // queue stuck: cannot happen, all jobs fit an empty cluster
      double until = Math.min(Math.min(nextEnd, nextArrival), lastArrival);
      if (until > now) t.busyGpuSeconds += usedGpus * (until - now);
      if (nextEnd <= nextArrival) {
        double[] e = ends.poll();
        now = e[0];
        usedGpus -= held.get((int) e[1]).length * (int) e[2];
        for (int i : held.remove((int) e[1])) used[i] -= (int) e[2];
      } else {
        now = nextArrival;
        queue.add(stream.get(next++));
      }
      // FIFO with a backfill window: the head and the next few queued jobs may start now.
      ClusterSnapshot snap = null;
      int tried = 0;
      for (Iterator<Job> it = queue.iterator(); it.hasNext() && tried < window; tried++) {
        Job job = it.next();
        int[] free = new int[n];
        long ranksFree = 0;
        for (int i = 0; i < n; i++) {
          free[i] = capacity[i] - used[i];
          ranksFree += free[i] / job.gpusPerRank();
        }
        // No placer can fit a gang with fewer free rank slots than ranks; skip the call.
        if (ranksFree < job.replicas()) continue;
        if (snap == null) snap = shape.snapshot(used);
        GangRequest.Builder b = GangRequest.builder("sim/" + job.id()).replicas(job.replicas()).gpusPerRank(job.gpusPerRank())
            .preferred("block");
        if (job.groupSize() > 1) b.groups(job.groupSize(), "nvlink-domain");
        GangRequest req = b.build();
        List<String> nodes = placer.place(snap, free, req, t);
        if (nodes == null) continue;
        int[] idx = nodes.stream().mapToInt(indexOf::get).toArray();
        countTpGroups(shape, job, idx, t);
        t.placed++;
        for (int i : idx) used[i] += job.gpusPerRank();
        held.put(job.id(), idx);
        ends.add(new double[] {now + job.duration(), job.id(), job.gpusPerRank()});
        t.waits.add(now - job.arrival());
        usedGpus += job.gpus();
        it.remove();
        snap = null;
      }
    }
    t.makespan = lastArrival - stream.get(0).arrival();
    return t;
  }

  static void print(List<Tally> tallies) {
    System.out.println();
    System.out.println("| placer | multi-node gangs | ring crossings/gang: block (bound) | rack (bound) "
        + "| all-reduce vs bound: mean | p95 | at bound | ring cost vs bound | GPU util | wait mean h | wait p95 h |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Tally t : tallies) {
      int m = Math.max(1, t.multiNode);
      System.out.printf(Locale.ROOT, "| %s | %d | %.2f (%.2f) | %.2f (%.2f) | %.3f | %.3f | %.0f%% | %.3f | %.1f%% | %.2f | %.2f |%n",
          t.name, t.multiNode, t.blockCrossings / m, t.boundBlockCrossings / m, t.rackCrossings / m, t.boundRackCrossings / m,
          mean(t.timeRatio), pct(t.timeRatio, 0.95), 100.0 * t.atBound / m, mean(t.costRatio),
          100 * t.busyGpuSeconds / (t.makespan * t.clusterGpus),
          mean(t.waits) / 3600, pct(t.waits, 0.95) / 3600);
    }
    printDecisions(tallies.get(0));
  }

  /** Counts the job's multi-rank TP groups and those that left one NVLink domain. */
  static void countTpGroups(Shapes.Shape shape, Job job, int[] nodeOfRank, Tally t) {
    int size = job.groupSize();
    if (size <= 1) return;
    for (int g = 0; g + size <= nodeOfRank.length; g += size) {
      t.tpGroups++;
      String first = shape.nvlinkDomain(nodeOfRank[g]);
      for (int r = g + 1; r < g + size; r++) {
        if (!shape.nvlinkDomain(nodeOfRank[r]).equals(first)) {
          t.tpGroupsSplit++;
          break;
        }
      }
    }
  }

  /** One row per placer: ring crossings per gang at every level against the bound, TP groups split, all-reduce, use, waits. */
  static void printByLevel(Shapes.Shape shape, List<Tally> tallies) {
    List<String> levels = shape.topology().levels().stream().map(dev.gangway.topology.Level::name).filter(l -> !l.equals("host")).toList();
    StringBuilder head = new StringBuilder("| placer | gangs placed | multi-rank gangs |");
    for (String l : levels) head.append(" ring crossings/gang ").append(l).append(" (bound) |");
    head.append(" TP groups split / placed | all-reduce vs bound: mean | p95 | at bound | ring cost vs bound | GPU util | wait mean h | wait p95 h |");
    System.out.println();
    System.out.println(head);
    System.out.println("|---|---|---|" + "---|".repeat(levels.size()) + "---|---|---|---|---|---|---|---|");
    for (Tally t : tallies) {
      int m = Math.max(1, t.multiNode);
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d | %d |", t.name, t.placed, t.multiNode));
      for (String l : levels) {
        row.append(String.format(Locale.ROOT, " %.2f (%.2f) |", t.crossings.getOrDefault(l, 0.0) / m, t.boundCrossings.getOrDefault(l, 0.0) / m));
      }
      row.append(String.format(Locale.ROOT, " %d / %d | %.3f | %.3f | %.0f%% | %.3f | %.1f%% | %.2f | %.2f |", t.tpGroupsSplit, t.tpGroups,
          mean(t.timeRatio), pct(t.timeRatio, 0.95), 100.0 * t.atBound / m, mean(t.costRatio),
          100 * t.busyGpuSeconds / (t.makespan * t.clusterGpus), mean(t.waits) / 3600, pct(t.waits, 0.95) / 3600));
      System.out.println(row);
    }
    printDecisions(tallies.get(0));
  }

  private static void printDecisions(Tally g) {
    if (!g.decisionMicros.isEmpty()) {
      System.out.printf(Locale.ROOT, "%ngangway decisions in the run: %d, p50 %.0f us, p99 %.0f us (wall clock, includes lower bound and quality)%n",
          g.decisionMicros.size(), pct(g.decisionMicros, 0.5), pct(g.decisionMicros, 0.99));
    }
  }

  static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  static double pct(List<Double> xs, double p) {
    if (xs.isEmpty()) return Double.NaN;
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[Math.min(a.length - 1, (int) Math.ceil(p * a.length) - 1)];
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option value, got " + args[i]);
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }
}
