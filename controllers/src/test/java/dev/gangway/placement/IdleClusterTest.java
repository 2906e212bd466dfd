package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link IdleCluster}: snapshots of the same nodes share what gangs could get were the nodes idle while usage alone
 * changes, and stop sharing it as soon as a fact it reads changes (allocatable, taints, readiness, cordon), so every
 * answer is the one a snapshot built from scratch gives.
 */
class IdleClusterTest {

  private static final PlacementEngine ENGINE = new PlacementEngine();
  /** Two racks of two 8-GPU nodes, all busy. */
  private static final String BUSY = "b1/r1/n1=0 b1/r1/n2=0 b1/r2/n3=0 b1/r2/n4=0";
  /** Two 8-GPU ranks in one rack: on BUSY it waits, it never is unschedulable. */
  private static final GangRequest RACK_PAIR = GangRequest.builder("ns/pair").replicas(2).gpusPerRank(8).required("rack").build();

  private static ClusterSnapshot busy() {
    return Clusters.snapshot(THREE_LEVELS, BUSY);
  }

  /** {@code before}'s nodes with node {@code i} replaced by {@code change} of it, on before's shape. */
  private static ClusterSnapshot changed(ClusterSnapshot before, int i, UnaryOperator<NodeState> change) {
    List<NodeState> nodes = new ArrayList<>(before.nodes());
    nodes.set(i, change.apply(nodes.get(i)));
    return ClusterSnapshot.reusingShape(before, before.topology(), nodes, before.reservations());
  }

  private static NodeState with(NodeState n, Resources allocatable, List<io.fabric8.kubernetes.api.model.Taint> taints, boolean ready,
      boolean cordoned) {
    return new NodeState(n.name(), n.labels(), taints, cordoned, ready, allocatable, n.used());
  }

  @Test
  void usageAloneKeepsBothIdleViews() {
    ClusterSnapshot before = busy();
    ClusterSnapshot after = changed(before, 0, n -> n.withUsed(Resources.NONE));

    assertThat(after.idleAtBest()).isSameAs(before.idleAtBest());
    assertThat(after.idleAsNow()).isSameAs(before.idleAsNow());
  }

  @Test
  void aNodeLosingAGpuChangesTheNeverVerdictAndItsRepairChangesItBack() {
    ClusterSnapshot before = Clusters.snapshot(THREE_LEVELS, "b1/r1/n1=0 b1/r1/n2=0 b1/r2/n3=0");
    assertThat(EmptyClusterFit.whyNever(before, RACK_PAIR)).isEmpty();

    ClusterSnapshot lost = changed(before, 1, n -> with(n, new Resources(7, 64_000, 512L << 30), n.taints(), true, false));
    assertThat(lost.idleAtBest()).isNotSameAs(before.idleAtBest());
    assertThat(lost.idleAsNow()).isNotSameAs(before.idleAsNow());
    assertThat(EmptyClusterFit.whyNever(lost, RACK_PAIR)).hasValueSatisfying(why -> assertThat(why).contains("within one rack"));

    ClusterSnapshot repaired = changed(lost, 1, n -> with(n, new Resources(8, 64_000, 512L << 30), n.taints(), true, false));
    assertThat(EmptyClusterFit.whyNever(repaired, RACK_PAIR)).isEmpty();
  }

  @Test
  void aLastingTaintChangesTheNeverVerdict() {
    ClusterSnapshot before = Clusters.snapshot(THREE_LEVELS, "b1/r1/n1=0 b1/r1/n2=0 b1/r2/n3=0");
    assertThat(EmptyClusterFit.whyNever(before, RACK_PAIR)).isEmpty();

    var reserved = new TaintBuilder().withKey("example.com/reserved").withValue("team-a").withEffect("NoSchedule").build();
    ClusterSnapshot tainted = changed(before, 0, n -> with(n, n.allocatable(), List.of(reserved), true, false));
    assertThat(tainted.idleAtBest()).isNotSameAs(before.idleAtBest());
    assertThat(EmptyClusterFit.whyNever(tainted, RACK_PAIR)).hasValueSatisfying(why -> assertThat(why).contains("untolerated taint"));
  }

  @Test
  void aPassingConditionKeepsTheNeverVerdictButChangesWhatTheHeadCanHold() {
    ClusterSnapshot before = busy();
    HeadReservation heldBefore = HeadReservation.of(before, RACK_PAIR, ENGINE).orElseThrow();
    assertThat(heldBefore.where()).isEqualTo("16 GPUs on 2 nodes in rack r1");

    var unhealthy = new TaintBuilder().withKey("gangway.dev/unhealthy").withEffect("NoSchedule").build();
    // n1 goes NotReady and n3 gets a condition's taint: each rack keeps one usable node.
    ClusterSnapshot notReady = changed(before, 0, n -> with(n, n.allocatable(), n.taints(), false, false));
    ClusterSnapshot sick = changed(notReady, 2, n -> with(n, n.allocatable(), List.of(unhealthy), true, false));

    assertThat(sick.idleAtBest()).as("a passing condition is not a lasting fact").isSameAs(before.idleAtBest());
    assertThat(EmptyClusterFit.whyNever(sick, RACK_PAIR)).isEmpty();
    assertThat(sick.idleAsNow()).isNotSameAs(before.idleAsNow());
    assertThat(HeadReservation.of(sick, RACK_PAIR, ENGINE)).as("no rack has two usable nodes now").isEmpty();

    ClusterSnapshot healed = changed(changed(sick, 0, n -> with(n, n.allocatable(), n.taints(), true, false)), 2,
        n -> with(n, n.allocatable(), List.of(), true, false));
    assertThat(HeadReservation.of(healed, RACK_PAIR, ENGINE)).contains(heldBefore);
  }

  @Test
  void aCordonChangesWhatTheHeadCanHold() {
    ClusterSnapshot before = busy();
    ClusterSnapshot cordoned = changed(changed(before, 0, n -> with(n, n.allocatable(), n.taints(), true, true)), 2,
        n -> with(n, n.allocatable(), n.taints(), true, true));
    assertThat(cordoned.idleAtBest()).isSameAs(before.idleAtBest());
    assertThat(cordoned.idleAsNow()).isNotSameAs(before.idleAsNow());
    assertThat(HeadReservation.of(before, RACK_PAIR, ENGINE)).isPresent();
    assertThat(HeadReservation.of(cordoned, RACK_PAIR, ENGINE)).isEmpty();
  }

  @Test
  void onlyTheLastKindsOfGangAskedAreKept() {
    IdleCluster idle = new IdleCluster(n -> n);
    AtomicInteger computed = new AtomicInteger();
    for (int k = 0; k <= IdleCluster.MAX_ANSWERS; k++) {
      int question = k;
      assertThat(idle.<Integer>answer(question, () -> {
        computed.incrementAndGet();
        return question;
      })).isEqualTo(question);
    }
    assertThat(computed).hasValue(IdleCluster.MAX_ANSWERS + 1);
    idle.answer(IdleCluster.MAX_ANSWERS, computed::getAndIncrement);
    assertThat(computed).as("the last one asked is kept").hasValue(IdleCluster.MAX_ANSWERS + 1);
    idle.answer(0, computed::getAndIncrement);
    assertThat(computed).as("the first one asked was dropped").hasValue(IdleCluster.MAX_ANSWERS + 2);
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 120).mapToObj(seed -> seed * 104_729 + 11);
  }

  /**
   * A random cluster goes through random changes, each a snapshot built on the previous one's shape; after each, every
   * answer the idle views give (never, not without the excluded nodes, what the head holds, the queue's admission) is
   * the answer of a snapshot of the same nodes built from scratch.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void aChainOfChangesAnswersAsSnapshotsBuiltFromScratch(long seed) {
    Scenario s = Scenario.random(seed);
    Random rnd = new Random(seed);
    ClusterSnapshot chained = s.snapshot();
    GangRequest req = s.request();
    GangRequest other = GangRequest.builder("ns/other").replicas(1 + rnd.nextInt(6)).gpusPerRank(new int[] {1, 4, 8}[rnd.nextInt(3)])
        .exclude(chained.node(rnd.nextInt(chained.nodes().size())).name()).build();
    var reserved = new TaintBuilder().withKey("gpu").withValue("bad").withEffect("NoSchedule").build();
    var condition = new TaintBuilder().withKey("node.kubernetes.io/unreachable").withEffect("NoExecute").build();
    for (int step = 0; step < 12; step++) {
      int i = rnd.nextInt(chained.nodes().size());
      NodeState n = chained.node(i);
      NodeState next = switch (rnd.nextInt(6)) {
        case 0 -> n.withUsed(new Resources(rnd.nextInt(n.allocatable().gpus() + 1), n.used().cpuMillis(), n.used().memoryBytes()));
        case 1 -> with(n, new Resources(n.allocatable().gpus() == 8 ? 7 : 8, n.allocatable().cpuMillis(), n.allocatable().memoryBytes()),
            n.taints(), n.ready(), n.unschedulable());
        case 2 -> with(n, n.allocatable(), n.taints().isEmpty() ? List.of(reserved) : List.of(), n.ready(), n.unschedulable());
        case 3 -> with(n, n.allocatable(), n.taints().isEmpty() ? List.of(condition) : List.of(), n.ready(), n.unschedulable());
        case 4 -> with(n, n.allocatable(), n.taints(), !n.ready(), n.unschedulable());
        default -> with(n, n.allocatable(), n.taints(), n.ready(), !n.unschedulable());
      };
      ClusterSnapshot before = chained;
      chained = changed(before, i, x -> next);
      ClusterSnapshot fresh = new ClusterSnapshot(chained.topology(), chained.nodes(), chained.reservations());
      for (GangRequest r : List.of(req, other)) {
        String at = "seed " + seed + ", step " + step + ", " + r.jobKey();
        assertThat(EmptyClusterFit.whyNever(chained, r)).as(at).isEqualTo(EmptyClusterFit.whyNever(fresh, r));
        assertThat(EmptyClusterFit.whyNotWithoutExcluded(chained, r)).as(at).isEqualTo(EmptyClusterFit.whyNotWithoutExcluded(fresh, r));
        assertThat(HeadReservation.of(chained, r, ENGINE)).as(at).isEqualTo(HeadReservation.of(fresh, r, ENGINE));
      }
      QueuedGang self = new QueuedGang(req.jobKey(), 0, Instant.EPOCH.plusSeconds(1), Instant.EPOCH, chained.topology(), req);
      QueuedGang ahead = new QueuedGang(other.jobKey(), 0, Instant.EPOCH, Instant.EPOCH, chained.topology(), other);
      ClusterSnapshot c = chained;
      assertThat(new PlacementQueue(ENGINE).admit(self, List.of(ahead, self), t -> c))
          .isEqualTo(new PlacementQueue(ENGINE).admit(self, List.of(ahead, self), t -> fresh));
    }
  }
}
