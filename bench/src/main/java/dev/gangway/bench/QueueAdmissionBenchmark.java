package dev.gangway.bench;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.QueuedGang;
import java.time.Instant;
import java.util.List;
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
 * What the queue adds to a decision for a gang behind a waiting head: the empty-cluster check, the
 * head's held capacity (the slow path: the head does not fit now, so its domain and nodes are chosen),
 * and then the placement on what the head leaves. The head is a 384-rank gang that must share a block,
 * on a cluster 90 % used; the deciding gang is 8 ranks x 8 GPUs.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class QueueAdmissionBenchmark {

  @Param({"hyperscale-2048", "hyperscale-8192"})
  public String shape;

  private final PlacementQueue queue = new PlacementQueue();
  private final PlacementEngine engine = new PlacementEngine();
  private ClusterSnapshot snapshot;
  private QueuedGang head;
  private QueuedGang self;

  @Setup
  public void setUp() {
    Shapes.Shape s = Shapes.byName(shape);
    snapshot = s.snapshot(Shapes.occupancy(s.nodes(), 0.9, 7));
    Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
    head = new QueuedGang("bench/head", 0, t0, t0, s.topology(),
        GangRequest.builder("bench/head").replicas(384).gpusPerRank(8).required("block").build());
    self = new QueuedGang("bench/small", 0, t0.plusSeconds(60), t0.plusSeconds(60), s.topology(),
        GangRequest.builder("bench/small").replicas(8).gpusPerRank(8).build());
    if (admit().head() == null) throw new IllegalStateException("the head holds nothing: the benchmark would measure the fast path");
  }

  @Benchmark
  public PlacementQueue.Admission admit() {
    return queue.admit(self, List.of(head), t -> snapshot);
  }

  @Benchmark
  public PlacementResult admitAndPlace() {
    PlacementQueue.Admission admission = admit();
    return engine.place(new ClusterSnapshot(snapshot.topology(), snapshot.nodes(), admission.hidden()), self.request());
  }
}
