package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The head is never starved by backfill: a seeded stream of small gangs arrives behind a gang that
 * needs a whole rack, every gang decides in queue order each tick (as reconciles do), and the head must
 * start no later than the jobs that ran when it arrived have all finished. The same stream with the
 * held capacity ignored keeps the head waiting past that point, which shows the rule is what saves it.
 */
class BackfillSimulationTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final int TICKS = 200;
  private static final String CLUSTER = "b1/r1/n1 b1/r1/n2 b1/r1/n3 b1/r1/n4 b1/r2/n5 b1/r2/n6 b1/r2/n7 b1/r2/n8";

  private record Running(List<String> nodes, int gpusPerRank, int endsAt) {
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void theHeadStartsOnceTheJobsRunningWhenItArrivedHaveFinished(long seed) {
    Outcome held = simulate(seed, true);
    assertThat(held.headStartedAt()).as("head start with held capacity").isNotNegative().isLessThanOrEqualTo(held.bound());
    assertThat(held.backfilled()).as("small gangs still ran beside the waiting head").isPositive();

    Outcome unprotected = simulate(seed, false);
    assertThat(unprotected.headStartedAt() < 0 || unprotected.headStartedAt() > unprotected.bound())
        .as("without held capacity the head waits past %d (started at %d)", unprotected.bound(), unprotected.headStartedAt()).isTrue();
  }

  private record Outcome(int headStartedAt, int bound, int backfilled) {
  }

  private static Outcome simulate(long seed, boolean honourHeld) {
    Random random = new Random(seed);
    PlacementQueue queue = new PlacementQueue();
    PlacementEngine engine = new PlacementEngine();
    List<NodeState> base = Clusters.nodes(THREE_LEVELS, CLUSTER, b -> b.usedGpus(0));
    List<Running> running = new ArrayList<>();
    int bound = 0;
    for (NodeState n : base) {
      int end = 10 + random.nextInt(40);
      running.add(new Running(List.of(n.name()), 8, end));
      bound = Math.max(bound, end);
    }
    List<QueuedGang> waiting = new ArrayList<>();
    QueuedGang head = new QueuedGang("ns/head", 0, T0, T0, THREE_LEVELS,
        GangRequest.builder("ns/head").replicas(4).gpusPerRank(8).required("rack").build());
    waiting.add(head);
    int headStartedAt = -1;
    int backfilled = 0;
    for (int t = 0; t < TICKS && headStartedAt < 0; t++) {
      final int now = t;
      running.removeIf(r -> r.endsAt() <= now);
      // Small gangs keep arriving: there is always one ready to take any node that frees.
      while (waiting.size() < 4) {
        String key = "ns/small-" + t + "-" + waiting.size();
        Instant created = T0.plusSeconds(1 + 4L * t + waiting.size());
        waiting.add(new QueuedGang(key, 0, created, created, THREE_LEVELS, GangRequest.builder(key).replicas(1).gpusPerRank(8).build()));
      }
      for (QueuedGang gang : PlacementQueue.order(waiting, head)) {
        List<NodeState> nodes = withUsage(base, running);
        PlacementQueue.Admission admission = queue.admit(gang, waiting, topo -> new ClusterSnapshot(topo, nodes));
        List<Reservation> hidden = honourHeld ? admission.hidden() : List.of();
        PlacementResult result = engine.place(new ClusterSnapshot(THREE_LEVELS, nodes, hidden), gang.request());
        if (!result.placed()) continue;
        waiting.remove(gang);
        running.add(new Running(result.nodes(), gang.request().gpusPerRank(), t + 20 + random.nextInt(60)));
        if (gang == head) {
          headStartedAt = t;
        } else if (admission.kind() == PlacementQueue.Admission.Kind.BEHIND) {
          backfilled++;
        }
      }
    }
    return new Outcome(headStartedAt, bound, backfilled);
  }

  private static List<NodeState> withUsage(List<NodeState> base, List<Running> running) {
    Map<String, Integer> used = new HashMap<>();
    running.forEach(r -> r.nodes().forEach(n -> used.merge(n, r.gpusPerRank(), Integer::sum)));
    return base.stream().map(n -> new NodeState(n.name(), n.labels(), n.taints(), n.unschedulable(), n.ready(), n.allocatable(),
        Resources.gpus(used.getOrDefault(n.name(), 0)))).toList();
  }
}
