package dev.gangway.bench;

import dev.gangway.placement.ClusterCache;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.SnapshotFactory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One gang's decision on the operator's full path, from the cluster as the informers hold it to the engine's answer,
 * with tens of thousands of pods cached, side by side with the path it replaced.
 *
 * <ul>
 *   <li>{@code cache}: what {@link GangPlacer#place} does now: take the lock, read the {@link ClusterCache} (kept
 *       current by the informers' events, so nothing here touches a pod), count held decisions, build the snapshot,
 *       run the engine.</li>
 *   <li>{@code rebuild}: what it did before: list every cached pod, rebuild the snapshot from every pod and node
 *       ({@link SnapshotFactory#from}, which parses each pod's requests), run the engine.</li>
 * </ul>
 *
 * <p>The cluster is {@link CachedCluster}'s; the gang 32 ranks × 8 GPUs, {@code preferred: block}. On a shared machine
 * the wall-clock percentiles here measure the scheduler as much as the code: {@link DecisionPathRunner} also reports
 * each decision's CPU time.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class DecisionPathBenchmark {

  @Param({"hyperscale-2048", "hyperscale-8192"})
  public String shape;

  @Param({"20000", "80000"})
  public int pods;

  private Shapes.Shape s;
  private final ClusterCache cache = new ClusterCache();
  private GangPlacer placer;
  private List<Node> nodes;
  /** What the pod informer's cache lists, for the rebuild path. */
  private List<Pod> listed;
  private List<String> rankPodKeys;
  /** The decision's time: each decision is released before the next, so no creation deadline ever matters. */
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private GangRequest request;
  private final PlacementEngine engine = new PlacementEngine();

  @Setup
  public void setUp() {
    s = Shapes.byName(shape);
    CachedCluster cluster = CachedCluster.of(s, pods, 32, 7);
    nodes = cluster.nodes();
    listed = cluster.pods();
    rankPodKeys = cluster.rankPodKeys();
    nodes.forEach(cache::put);
    listed.forEach(cache::put);
    placer = new GangPlacer(engine, cache);
    request = GangRequest.builder("bench/gang").replicas(32).gpusPerRank(8).preferred("block").build();
  }

  @Benchmark
  public PlacementResult cache() {
    PlacementResult result = placer.place(s.topology(), request, rankPodKeys, List.of(), Set.of(), NOW, NOW.plusSeconds(60));
    placer.release(request.jobKey());
    return result;
  }

  @Benchmark
  public PlacementResult rebuild() {
    List<Pod> all = new ArrayList<>(listed);
    return engine.place(SnapshotFactory.from(s.topology(), nodes, all), request);
  }
}
