package dev.gangway.bench;

import dev.gangway.placement.ClusterSnapshot;
import dev.gangway.placement.NodeState;
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

/** Cost of the per-cycle precomputation: snapshot and domain tree from node states. */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class SnapshotBuildBenchmark {

  @Param({"superpod-128", "hyperscale-2048", "hyperscale-8192"})
  public String shape;

  private Shapes.Shape s;
  private List<NodeState> nodes;

  @Setup
  public void setUp() {
    s = Shapes.byName(shape);
    nodes = s.nodeStates(Shapes.occupancy(s.nodes(), 0.5, 7));
  }

  @Benchmark
  public ClusterSnapshot build() {
    return new ClusterSnapshot(s.topology(), nodes);
  }
}
