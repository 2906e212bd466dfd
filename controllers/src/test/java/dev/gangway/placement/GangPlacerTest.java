package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decisions made back to back must not collide even before the informer cache shows the first. */
class GangPlacerTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private final GangPlacer placer = new GangPlacer(new PlacementEngine());
  private final List<Node> nodes = new ArrayList<>();

  GangPlacerTest() {
    for (int i = 0; i < 4; i++) {
      Node n = SnapshotFactoryTest.node("n" + i, "True", false);
      n.getSpec().setTaints(List.<Taint>of());
      nodes.add(n);
    }
  }

  private static GangRequest gang(String job, int ranks) {
    return GangRequest.builder("ns/" + job).replicas(ranks).gpusPerRank(8).build();
  }

  /** The job's gated pods as the cache shows them right after creation: no node, no reservation yet. */
  private static List<Pod> gatedPods(String job, int ranks) {
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      pods.add(SnapshotFactoryTest.pod(job + "-" + r, job, null, "Pending", null, "8", "1"));
    }
    return pods;
  }

  @Test
  void aSecondGangDoesNotTakeTheNodesOfADecisionTheCacheDoesNotShowYet() {
    List<Pod> cache = new ArrayList<>(gatedPods("a", 2));
    cache.addAll(gatedPods("b", 2));
    PlacementResult a = placer.place(Clusters.THREE_LEVELS, nodes, cache, gang("a", 2), T0);
    PlacementResult b = placer.place(Clusters.THREE_LEVELS, nodes, cache, gang("b", 2), T0);
    assertThat(a.placed()).isTrue();
    assertThat(b.placed()).isTrue();
    assertThat(b.nodes()).doesNotContainAnyElementsOf(a.nodes());

    PlacementResult c = placer.place(Clusters.THREE_LEVELS, nodes, cache, gang("c", 1), T0);
    assertThat(c.placed()).as("all four nodes are held by a and b").isFalse();
  }

  @Test
  void aDecisionWhosePodsAreGoneNoLongerHoldsCapacity() {
    placer.place(Clusters.THREE_LEVELS, nodes, gatedPods("a", 4), gang("a", 4), T0);
    // Job a was deleted (its pods are gone from the cache) before its reservation was ever written.
    PlacementResult b = placer.place(Clusters.THREE_LEVELS, nodes, gatedPods("b", 4), gang("b", 4), T0.plusSeconds(1));
    assertThat(b.placed()).isTrue();
    assertThat(placer.inFlight()).isEqualTo(1);
  }
}
