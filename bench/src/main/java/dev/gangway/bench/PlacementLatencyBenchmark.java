package dev.gangway.bench;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementResult;
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
 * Latency of one placement decision on a prebuilt snapshot (the reconciler builds one per cycle and
 * may place several gangs on it). SampleTime gives the percentiles; the defaults keep a full run short
 * on 2 cores: raise -wi/-i/-f for publication numbers.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class PlacementLatencyBenchmark {

  @Param({"superpod-128", "hyperscale-2048", "hyperscale-8192"})
  public String shape;

  @Param({"0", "50", "90"})
  public int occupancyPercent;

  /** ranks x GPUs per rank: a 32-node gang of whole nodes, and 64 half-node ranks (packing two per node). */
  @Param({"32x8", "64x4"})
  public String gang;

  private final PlacementEngine engine = new PlacementEngine();
  private ClusterSnapshot snapshot;
  private GangRequest request;
  /** The topology-blind baselines' inputs, prepared once as a scheduler's cache would hold them. */
  private java.util.List<String> names;
  private int[] freeGpus;

  @Setup
  public void setUp() {
    Shapes.Shape s = Shapes.byName(shape);
    snapshot = s.snapshot(Shapes.occupancy(s.nodes(), occupancyPercent / 100.0, 7));
    String[] rg = gang.split("x");
    request = GangRequest.builder("bench/job").replicas(Integer.parseInt(rg[0])).gpusPerRank(Integer.parseInt(rg[1]))
        .preferred("block").build();
    names = snapshot.nodes().stream().map(n -> n.name()).toList();
    freeGpus = new int[names.size()];
    for (int i = 0; i < freeGpus.length; i++) {
      freeGpus[i] = snapshot.freeFor("bench/job", i).gpus();
    }
  }

  @Benchmark
  public PlacementResult place() {
    return engine.place(snapshot, request);
  }

  /** Baseline in the same run: first fit in node-name order, GPUs only, no topology, no quality. */
  @Benchmark
  public java.util.List<String> firstFitBaseline() {
    return Baselines.firstFit(names, freeGpus, request);
  }

  /** Baseline in the same run: least-allocated spread, as kube-scheduler's default scoring places. */
  @Benchmark
  public java.util.List<String> spreadBaseline() {
    return Baselines.spread(names, freeGpus, request);
  }
}
