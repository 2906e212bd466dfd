package dev.gangway.bench;

import dev.gangway.placement.ClusterCache;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.SnapshotFactory;
import io.fabric8.kubernetes.api.model.Pod;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One gang's decision on the operator's full path (snapshot + engine), from the placement cache and, side by side, by
 * the rebuild from every pod it replaced ({@link DecisionPathBenchmark} has the same two paths under JMH). Between two
 * cached decisions the informers deliver pod events (a pod finishing, another bound in its place), so no decision
 * finds the cache as the last one left it. Prints wall-clock and CPU time per decision: on a shared machine the
 * thread's CPU time is what the code costs, the wall clock also what the scheduler made it wait.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.gangway.bench.DecisionPathRunner [--shapes a,b] [--pods 20000,80000]
 *     [--decisions 400] [--rebuilds 20] [--events 20]</pre>
 */
public final class DecisionPathRunner {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private DecisionPathRunner() {
  }

  public static void main(String[] args) {
    List<String> shapes = List.of("hyperscale-2048", "hyperscale-8192");
    List<Integer> podCounts = List.of(20_000, 80_000);
    int decisions = 400;
    int rebuilds = 20;
    int events = 20;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--shapes" -> shapes = List.of(args[i + 1].split(","));
        case "--pods" -> podCounts = Arrays.stream(args[i + 1].split(",")).map(Integer::valueOf).toList();
        case "--decisions" -> decisions = Integer.parseInt(args[i + 1]);
        case "--rebuilds" -> rebuilds = Integer.parseInt(args[i + 1]);
        case "--events" -> events = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.println("| shape | pods cached | path | decisions | wall p50 ms | wall p99 ms | CPU p50 ms | CPU p99 ms | one pod event µs (p50 / p99) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String shape : shapes) {
      for (int pods : podCounts) {
        run(Shapes.byName(shape), pods, decisions, rebuilds, events);
      }
    }
  }

  private static void run(Shapes.Shape shape, int podCount, int decisions, int rebuilds, int events) {
    CachedCluster cluster = CachedCluster.of(shape, podCount, 32, 7);
    ClusterCache cache = new ClusterCache();
    cluster.nodes().forEach(cache::put);
    cluster.pods().forEach(cache::put);
    PlacementEngine engine = new PlacementEngine();
    GangPlacer placer = new GangPlacer(engine, cache);
    GangRequest request = GangRequest.builder("bench/gang").replicas(32).gpusPerRank(8).preferred("block").build();
    Random random = new Random(11);
    List<Pod> churn = new ArrayList<>(cluster.pods().subList(0, podCount - 32));
    Samples eventTimes = new Samples();
    Runnable delivered = () -> {
      for (int e = 0; e < events; e++) {
        // A bound pod finishes, or one that finished is replaced by a pod bound to the same node.
        int i = random.nextInt(churn.size());
        Pod before = churn.get(i);
        Pod after = CachedCluster.pod(before.getMetadata().getNamespace(), before.getMetadata().getName(),
            before.getMetadata().getLabels().get(SnapshotFactory.JOB_LABEL), before.getSpec().getNodeName(), null,
            gpus(before), "Running".equals(before.getStatus().getPhase()) ? "Succeeded" : "Running");
        churn.set(i, after);
        long t0 = System.nanoTime();
        cache.put(after);
        eventTimes.add(System.nanoTime() - t0, 0);
      }
    };
    Samples cached = new Samples();
    // Each decision is released before the next, so its pods' creation deadline never matters.
    List<String> rankPodKeys = cluster.rankPodKeys();
    java.time.Instant now = java.time.Instant.now();
    for (int d = 0; d < decisions + decisions / 4; d++) {
      delivered.run();
      long wall = System.nanoTime();
      long cpu = THREADS.getCurrentThreadCpuTime();
      PlacementResult result = placer.place(shape.topology(), request, rankPodKeys, List.of(), Set.of(), now, now.plusSeconds(60));
      if (d >= decisions / 4) {
        cached.add(System.nanoTime() - wall, THREADS.getCurrentThreadCpuTime() - cpu);
      }
      placer.release(request.jobKey());
      if (!result.placed()) {
        throw new IllegalStateException("the gang did not fit: " + result.message());
      }
    }
    Samples rebuilt = new Samples();
    for (int d = 0; d < rebuilds + 3; d++) {
      long wall = System.nanoTime();
      long cpu = THREADS.getCurrentThreadCpuTime();
      List<Pod> listed = new ArrayList<>(cluster.pods());
      engine.place(SnapshotFactory.from(shape.topology(), cluster.nodes(), listed), request);
      if (d >= 3) {
        rebuilt.add(System.nanoTime() - wall, THREADS.getCurrentThreadCpuTime() - cpu);
      }
    }
    String events99 = String.format("%.1f / %.1f", eventTimes.wall(0.5) / 1e3, eventTimes.wall(0.99) / 1e3);
    System.out.println(cached.row(shape.name(), podCount, "cache", events99));
    System.out.println(rebuilt.row(shape.name(), podCount, "rebuild from every pod", "—"));
  }

  private static int gpus(Pod pod) {
    var limits = pod.getSpec().getContainers().get(0).getResources().getLimits();
    return limits == null || limits.get("nvidia.com/gpu") == null ? 0 : Integer.parseInt(limits.get("nvidia.com/gpu").getAmount());
  }

  /** Wall and CPU nanoseconds per sample. */
  private static final class Samples {
    private final List<long[]> all = new ArrayList<>();

    void add(long wallNanos, long cpuNanos) {
      all.add(new long[] {wallNanos, cpuNanos});
    }

    double wall(double q) {
      return quantile(0, q);
    }

    private double quantile(int which, double q) {
      long[] sorted = all.stream().mapToLong(s -> s[which]).sorted().toArray();
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    String row(String shape, int pods, String path, String events) {
      return String.format("| %s | %,d | %s | %d | %.2f | %.2f | %.2f | %.2f | %s |", shape, pods, path, all.size(),
          quantile(0, 0.5) / 1e6, quantile(0, 0.99) / 1e6, quantile(1, 0.5) / 1e6, quantile(1, 0.99) / 1e6, events);
    }
  }
}
