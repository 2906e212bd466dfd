package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Decisions made back to back must not collide even before the informer cache shows them, and a
 * decision holds its capacity, rank by rank, until every rank is bound: counted once, from the
 * decision while the rank is unbound, from the binding afterwards.
 */
class GangPlacerTest {
  private final CacheFeed informer = new CacheFeed();
  private final GangPlacer placer = new GangPlacer(new PlacementEngine(), informer.cache());

  private static List<Node> nodes(int count) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Node n = SnapshotFactoryTest.node("n" + i, "True", false);
      n.getSpec().setTaints(List.<Taint>of());
      nodes.add(n);
    }
    return nodes;
  }

  private static GangRequest gang(String job, int ranks, int gpus) {
    return GangRequest.builder("ns/" + job).replicas(ranks).gpusPerRank(gpus).build();
  }

  /** The job's gated pods as the cache shows them right after creation: no node, no reservation yet. */
  private static List<Pod> gatedPods(String job, int ranks, int gpus) {
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      pods.add(SnapshotFactoryTest.pod(job + "-" + r, job, null, "Pending", null, Integer.toString(gpus), "1"));
    }
    return pods;
  }

  /** The pod as the cache shows it once the decision's annotation reached it. */
  private static Pod annotated(Pod pod, String node) {
    return SnapshotFactoryTest.pod(pod.getMetadata().getName(), pod.getMetadata().getLabels().get(SnapshotFactory.JOB_LABEL),
        null, "Pending", node, pod.getSpec().getContainers().get(0).getResources().getLimits().get(RankResources.GPU).toString(), "1");
  }

  private static Pod bound(Pod pod, String node) {
    Pod copy = annotated(pod, node);
    copy.getSpec().setNodeName(node);
    copy.getStatus().setPhase("Running");
    return copy;
  }

  /** What the informer cache lists: these pods, in this order. */
  @SafeVarargs
  private static List<Pod> cache(List<Pod>... parts) {
    List<Pod> all = new ArrayList<>();
    for (List<Pod> part : parts) {
      all.addAll(part);
    }
    return all;
  }

  private static final java.time.Instant NOW = java.time.Instant.parse("2026-12-02T09:00:00Z");

  /** Places the gang of these pods; a rank whose pod the cache never shows holds nothing (its creation deadline is now). */
  private PlacementResult place(List<Node> nodes, List<Pod> cache, String job, List<Pod> ranks, int gpus) {
    informer.show(nodes, cache);
    return placer.place(Clusters.THREE_LEVELS, gang(job, ranks.size(), gpus), ranks.stream().map(SnapshotFactory::podKey).toList(),
        List.of(), Set.of(), NOW, NOW);
  }

  @Test
  void aSecondGangDoesNotTakeTheNodesOfADecisionTheCacheDoesNotShowYet() {
    List<Node> nodes = nodes(4);
    List<Pod> a = gatedPods("a", 2, 8);
    List<Pod> b = gatedPods("b", 2, 8);
    List<Pod> cache = cache(a, b);
    PlacementResult placedA = place(nodes, cache, "a", a, 8);
    PlacementResult placedB = place(nodes, cache, "b", b, 8);
    assertThat(placedA.placed()).isTrue();
    assertThat(placedB.placed()).isTrue();
    assertThat(placedB.nodes()).doesNotContainAnyElementsOf(placedA.nodes());

    List<Pod> c = gatedPods("c", 1, 8);
    assertThat(place(nodes, cache(cache, c), "c", c, 8).placed()).as("all four nodes are held by a and b").isFalse();
  }

  @Test
  void theDecisionOfAJobThatNoLongerExistsIsDroppedAndItsNodesAreFreeAgain() {
    List<Node> nodes = nodes(4);
    informer.show(nodes, List.of());
    // Decided before its pods exist (created pinned), due by a minute from now: it holds its nodes meanwhile.
    PlacementResult placedA = placer.place(Clusters.THREE_LEVELS, gang("a", 4, 8), List.of("ns/a-0", "ns/a-1", "ns/a-2", "ns/a-3"),
        List.of(), Set.of(), NOW, NOW.plusSeconds(60));
    assertThat(placedA.placed()).isTrue();
    List<Pod> b = gatedPods("b", 2, 8);
    assertThat(place(nodes, b, "b", b, 8).placed()).as("a holds every node").isFalse();

    assertThat(placer.retainJobs(job -> !job.equals("ns/a"))).containsExactly("ns/a");
    assertThat(placer.retainJobs(job -> true)).isEmpty();
    assertThat(place(nodes, b, "b", b, 8).placed()).as("a was deleted: its nodes are free").isTrue();
  }

  @Test
  void droppingADecisionThatHeldNodesForPodsNotCreatedYetAnnouncesFreedCapacity() {
    java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
    CacheFeed feed = new CacheFeed(told::incrementAndGet);
    GangPlacer announcing = new GangPlacer(new PlacementEngine(), feed.cache());
    List<Node> nodes = nodes(4);
    feed.show(nodes, List.of());
    List<String> aKeys = List.of("ns/a-0", "ns/a-1");
    List<String> bKeys = List.of("ns/b-0", "ns/b-1");
    assertThat(announcing.place(Clusters.THREE_LEVELS, gang("a", 2, 8), aKeys, List.of(), Set.of(), NOW, NOW.plusSeconds(60)).placed()).isTrue();
    assertThat(announcing.place(Clusters.THREE_LEVELS, gang("b", 2, 8), bKeys, List.of(), Set.of(), NOW, NOW.plusSeconds(60)).placed()).isTrue();
    told.set(0);

    announcing.release("ns/a");
    assertThat(told).as("a's pods were never created: its two nodes are free with no pod event to say so").hasValue(1);
    announcing.release("ns/a");
    assertThat(told).as("nothing is held for a any more").hasValue(1);
    announcing.retainJobs(job -> !job.equals("ns/b"));
    assertThat(told).as("b deleted before its pods were created").hasValue(2);

    // A decision whose every pod was seen (created, not bound yet) frees nothing when dropped: the pods' reserved-node
    // annotations hold the nodes, and their deletion frees them.
    List<Pod> c = gatedPods("c", 2, 8);
    PlacementResult placedC = announcing.place(Clusters.THREE_LEVELS, gang("c", 2, 8), c.stream().map(SnapshotFactory::podKey).toList(),
        List.of(), Set.of(), NOW, NOW.plusSeconds(60));
    assertThat(placedC.placed()).isTrue();
    feed.show(nodes, List.of(annotated(c.get(0), placedC.nodeOf(0)), annotated(c.get(1), placedC.nodeOf(1))));
    assertThat(announcing.place(Clusters.THREE_LEVELS, gang("d", 1, 8), List.of("ns/d-0"), List.of(), Set.of(), NOW, NOW).placed())
        .as("the cache read of d's decision saw c's pods").isTrue();
    assertThat(announcing.decisionOf("ns/c")).as("c is still held: its ranks are not bound").hasSize(2);
    told.set(0);
    announcing.release("ns/c");
    assertThat(told).as("c's ranks were all seen").hasValue(0);
  }

  @Test
  void aDecisionIsHeldUntilEveryRankIsBoundNotJustUntilTheCacheShowsOneOfThem() {
    List<Node> nodes = nodes(4);
    List<Pod> a = gatedPods("a", 2, 8);
    PlacementResult placedA = place(nodes, a, "a", a, 8);
    // The cache shows rank 0's annotation, then rank 0 bound, while rank 1 shows nothing yet.
    List<List<Pod>> views = List.of(
        List.of(annotated(a.get(0), placedA.nodeOf(0)), a.get(1)),
        List.of(bound(a.get(0), placedA.nodeOf(0)), a.get(1)));
    for (List<Pod> view : views) {
      List<Pod> b = gatedPods("b", 3, 8);
      assertThat(place(nodes, cache(view, b), "b", b, 8).placed()).as("only two nodes are left while a's rank 1 is unbound").isFalse();
    }
    assertThat(placer.inFlight()).isEqualTo(1);

    // Every rank of a bound: the bindings hold the nodes now, and the decision is forgotten.
    List<Pod> b = gatedPods("b", 2, 8);
    PlacementResult placedB = place(nodes, cache(List.of(bound(a.get(0), placedA.nodeOf(0)), bound(a.get(1), placedA.nodeOf(1))), b),
        "b", b, 8);
    assertThat(placedB.nodes()).doesNotContainAnyElementsOf(placedA.nodes());
    assertThat(placer.decisionOf("ns/a")).isEmpty();
  }

  @Test
  void aRankVisibleAsAnnotationAndAsDecisionIsCountedOnceNeverTwice() {
    List<Node> nodes = nodes(1);
    List<Pod> a = gatedPods("a", 1, 4);
    assertThat(place(nodes, a, "a", a, 4).nodes()).containsExactly("n0");
    List<Pod> b = gatedPods("b", 1, 4);
    List<Pod> cache = cache(List.of(annotated(a.get(0), "n0")), b);
    assertThat(place(nodes, cache, "b", b, 4).nodes()).as("a holds 4 of n0's 8 GPUs, not 8").containsExactly("n0");
    List<Pod> c = gatedPods("c", 1, 4);
    assertThat(place(nodes, cache(cache, c), "c", c, 4).placed()).as("a and b hold all 8").isFalse();
  }

  @Test
  void anOlderAnnotationOfTheCachedPodGivesWayToTheDecision() {
    List<Node> nodes = nodes(2);
    List<Pod> a = gatedPods("a", 1, 8);
    String decided = place(nodes, a, "a", a, 8).nodeOf(0);
    String other = decided.equals("n0") ? "n1" : "n0";
    // The cache still shows the annotation of a decision made before (e.g. by a previous leader).
    List<Pod> b = gatedPods("b", 1, 8);
    assertThat(place(nodes, cache(List.of(annotated(a.get(0), other)), b), "b", b, 8).nodes()).containsExactly(other);
  }

  @Test
  void aDecisionWhosePodsAreGoneNoLongerHoldsCapacity() {
    List<Node> nodes = nodes(4);
    List<Pod> a = gatedPods("a", 4, 8);
    place(nodes, a, "a", a, 8);
    // Job a was deleted (its pods are gone from the cache) before its reservation was ever written.
    List<Pod> b = gatedPods("b", 4, 8);
    assertThat(place(nodes, b, "b", b, 8).placed()).isTrue();
    assertThat(placer.inFlight()).isEqualTo(1);
  }

  @Test
  void aReleasedDecisionHoldsNothing() {
    List<Node> nodes = nodes(1);
    List<Pod> a = gatedPods("a", 1, 8);
    place(nodes, a, "a", a, 8);
    placer.release("ns/a");
    List<Pod> b = gatedPods("b", 1, 8);
    assertThat(place(nodes, cache(a, b), "b", b, 8).placed()).isTrue();
  }

  @Test
  void aGangWhosePodsDoNotMatchItsSizeIsRefused() {
    List<Pod> a = gatedPods("a", 1, 8);
    informer.show(nodes(2), a);
    assertThatThrownBy(() -> placer.place(Clusters.THREE_LEVELS, gang("a", 1, 8), List.<String>of(), List.of(), Set.of(), NOW, NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
