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
 * all-reduce time against the lower bound at each decision, GPU utilisation and wait times.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.gangway.bench.ScenarioRunner [--jobs N] [--seed S]
 * [--load L] [--shape hyperscale-2048] [--window W]}.
 */
public final class ScenarioRunner {

  record Job(int id, double arrival, double duration, int replicas, int gpusPerRank) {
    int gpus() {
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
    List<Job> stream = jobs(jobs, seed, load, shape.nodes() * Shapes.GPUS_PER_NODE);

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

    System.out.printf(Locale.ROOT, "shape %s: %d nodes, %d GPUs, node names %s; %d jobs, offered load %.2f, seed %d, backfill window %d%n",
        shape.name(), shape.nodes(), shape.nodes() * Shapes.GPUS_PER_NODE, opt.getOrDefault("names", "shuffled"), jobs, load,
        seed, window);
    List<Tally> tallies = new ArrayList<>();
    tallies.add(run(shape, stream, "gangway best-fit", gangway, window));
    tallies.add(run(shape, stream, "first-fit by name", firstFit, window));
    tallies.add(run(shape, stream, "spread (least-alloc)", spread, window));
    print(tallies);
  }

  private static List<String> measured(PlacementEngine engine, ClusterSnapshot snap, GangRequest req, Tally t, List<String> nodes) {
    if (nodes != null) record(t, engine.measure(snap, req, nodes), req);
    return nodes;
  }

  private static void record(Tally t, PlacementQuality q, GangRequest req) {
    if (req.replicas() * req.gpusPerRank() <= Shapes.GPUS_PER_NODE) return; // fits a node: nothing to cross
    t.multiNode++;
    t.blockCrossings += q.ringCrossings().get("block");
    t.rackCrossings += q.ringCrossings().get("rack");
    t.boundBlockCrossings += q.lowerBoundCrossings().get("block");
    t.boundRackCrossings += q.lowerBoundCrossings().get("rack");
    t.timeRatio.add(q.allReduceVsBound());
    t.costRatio.add(q.ringCostVsBound());
    if (q.allReduceVsBound() <= 1.0 + 1e-9) t.atBound++;
  }

  /** Seeded job stream: 30% single-node jobs of 1–8 GPUs, 70% gangs of 2^k whole nodes (k = 0..8, smaller more likely). */
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
    Tally t = new Tally(name);
    int n = shape.nodes();
    t.clusterGpus = n * Shapes.GPUS_PER_NODE;
    Map<String, Integer> indexOf = new HashMap<>();
    for (int i = 0; i < n; i++) indexOf.put(shape.names().get(i), i);
    int[] used = new int[n];
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
          free[i] = Shapes.GPUS_PER_NODE - used[i];
          ranksFree += free[i] / job.gpusPerRank();
        }
        // No placer can fit a gang with fewer free rank slots than ranks; skip the call.
        if (ranksFree < job.replicas()) continue;
        if (snap == null) snap = shape.snapshot(used);
        GangRequest req = GangRequest.builder("sim/" + job.id()).replicas(job.replicas()).gpusPerRank(job.gpusPerRank())
            .preferred("block").build();
        List<String> nodes = placer.place(snap, free, req, t);
        if (nodes == null) continue;
        int[] idx = nodes.stream().mapToInt(indexOf::get).toArray();
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
    Tally g = tallies.get(0);
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
