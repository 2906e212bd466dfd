package dev.gangway.decide;

import dev.gangway.act.RankPodBuilder;
import dev.gangway.job.TestJobs;
import dev.gangway.observe.GangObservation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.placement.CacheFeed;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The two phases of writing a placement, resuming after a crash between them, and the bind timeout. */
class GangPlacementStepTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final Topology HOSTS = Topology.of(50, new Level(0, "host", "kubernetes.io/hostname", 50));
  private final CacheFeed informer = new CacheFeed();
  private final GangPlacementStep step = new GangPlacementStep(new GangPlacer(new PlacementEngine(), informer.cache()),
      new PlacementQueue(), Duration.ofSeconds(60));
  private final TrainingJob job = TestJobs.job("llm", 2, 8);
  private final List<Node> nodes = List.of(node("n1"), node("n2"));

  private static Node node(String name) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("64"))
        .addToAllocatable("memory", new Quantity("512Gi")).addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build();
  }

  /** The cluster as the informers show it now (the placer reads it when the gang decides), and the job's inputs. */
  private GangPlacementStep.Inputs inputs(List<Node> nodes, List<Pod> pods, Set<String> excluded, List<NodeExclusion> exclusions) {
    informer.show(nodes, pods);
    return new GangPlacementStep.Inputs(HOSTS, 0, excluded, List::of, exclusions, 220);
  }

  private PlacementDecision decide(List<Pod> pods, String placedTime, Instant now) {
    return decide(pods, 1, placedTime, now);
  }

  private PlacementDecision decide(List<Pod> pods, int attempt, String placedTime, Instant now) {
    GangObservation gang = GangObservation.of(pods, attempt, 2);
    return step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang, gang.attemptPods(),
        inputs(nodes, pods, Set.of(), List.of()), placedTime, now);
  }

  private List<Pod> gatedPods() {
    return gatedPods(1);
  }

  private List<Pod> gatedPods(int attempt) {
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      pods.add(RankPodBuilder.build(job, r, attempt, null));
    }
    return pods;
  }

  /** Attempt 1's pods, bound and running on n1 and n2, now being deleted. */
  private List<Pod> terminatingFirstAttempt() {
    List<Pod> old = gatedPods(1);
    for (int r = 0; r < 2; r++) {
      Pod pod = old.get(r);
      pod.getSpec().setSchedulingGates(List.of());
      pod.getSpec().setNodeName("n" + (r + 1));
      pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
      pod.getMetadata().setDeletionTimestamp(T0.toString());
    }
    return old;
  }

  @Test
  void aCompleteGatedGangIsAnnotatedThenReleasedToItsNodes() {
    PlacementDecision decision = decide(gatedPods(), null, T0);
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(decision.annotate().values()).containsExactlyInAnyOrder("n1", "n2");
    assertThat(decision.release()).hasSize(2);
  }

  @Test
  void anIncompleteGangIsNotPlaced() {
    assertThat(decide(gatedPods().subList(0, 1), null, T0).kind()).isEqualTo(PlacementDecision.Kind.NONE);
  }

  @Test
  void afterACrashBetweenThePhasesTheWrittenDecisionIsReleasedWithoutDecidingAgain() {
    List<Pod> pods = gatedPods();
    pods.get(0).getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n2");
    pods.get(1).getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n1");
    PlacementDecision decision = decide(pods, null, T0);
    assertThat(decision.annotate()).isEmpty();
    assertThat(decision.release()).containsValues("n2", "n1");
  }

  @Test
  void aRestartIsDecidedWhileTheFailedAttemptTerminatesAndEachRankReleasedOnceItsNodeIsFree() {
    // The gang fills both nodes; attempt 1 still holds them. Its GPUs are going away, so attempt 2 is decided now...
    List<Pod> old = terminatingFirstAttempt();
    List<Pod> pods = new ArrayList<>(old);
    pods.addAll(gatedPods(2));
    PlacementDecision decided = decide(pods, 2, null, T0);
    assertThat(decided.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(decided.annotate().values()).containsExactlyInAnyOrder("n1", "n2");
    // ...but no rank is released onto a node an attempt-1 pod still occupies.
    assertThat(decided.release()).isEmpty();

    // Written decision; attempt 1's pod on n1 is gone: only the rank reserved on n1 is released.
    List<Pod> next = gatedPods(2);
    next.forEach(p -> p.getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION,
        decided.annotate().entrySet().stream().filter(e -> e.getKey().getMetadata().getName().equals(p.getMetadata().getName()))
            .findFirst().orElseThrow().getValue()));
    List<Pod> oneGone = new ArrayList<>(List.of(old.get(1)));
    oneGone.addAll(next);
    PlacementDecision partly = decide(oneGone, 2, T0.toString(), T0.plusSeconds(1));
    assertThat(partly.annotate()).isEmpty();
    assertThat(partly.release()).containsOnlyKeys(next.stream().filter(p -> "n1".equals(GangPlacementStep.reservedNode(p))).toList());
    assertThat(partly.release().values()).containsExactly("n1");

    // All of attempt 1 gone: the rest is released.
    assertThat(decide(next, 2, T0.toString(), T0.plusSeconds(2)).release().values()).containsExactlyInAnyOrder("n1", "n2");
  }

  @Test
  void anotherJobsTerminatingPodsStillCountAsUsed() {
    List<Pod> pods = gatedPods();
    Pod foreign = RankPodBuilder.build(TestJobs.job("other", 1, 8), 0, 1, null);
    foreign.getSpec().setSchedulingGates(List.of());
    foreign.getSpec().setNodeName("n1");
    foreign.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    foreign.getMetadata().setDeletionTimestamp(T0.toString());
    GangObservation gang = GangObservation.of(pods, 1, 2);
    List<Pod> cluster = new ArrayList<>(pods);
    cluster.add(foreign);
    PlacementDecision decision = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang,
        gang.attemptPods(), inputs(nodes, cluster, Set.of(), List.of()), null, T0);
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
  }

  @Test
  void aGangItsExclusionsLeaveNoRoomForWaitsWithAReasonNamingThemAndWhenTheFirstEnds() {
    List<Pod> pods = gatedPods();
    GangObservation gang = GangObservation.of(pods, 1, 2);
    List<NodeExclusion> exclusions = List.of(new NodeExclusion("n2", "NodeLost", 1, T0.minusSeconds(60).toString(),
        T0.plusSeconds(3600).toString()));
    PlacementDecision decision = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang,
        gang.attemptPods(), inputs(nodes, pods, Set.of("n2"), exclusions), null, T0);
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(decision.reason()).isEqualTo(GangPlacementStep.EXCLUDED_NODES_LEAVE_NO_ROOM);
    assertThat(decision.message()).isEqualTo("needs 2 ranks x 8 GPUs; without the 1 node it keeps off now, "
        + "the whole cluster has 1 node x 8 GPUs = 8 GPUs this job may use (room for 1 such ranks); 1 of them is excluded after "
        + "failures of this job there (status.nodeExclusions), the first until 2026-11-26T11:00:00Z; the job waits for them");
  }

  /** The gang as the cache shows it once phase 1 and 2 were written: rank r reserved on nodes[r], released at {@code releasedAt}. */
  private List<Pod> released(int attempt, Instant releasedAt, String... nodes) {
    List<Pod> pods = gatedPods(attempt);
    for (int r = 0; r < pods.size(); r++) {
      Pod pod = pods.get(r);
      pod.getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, nodes[r]);
      pod.getMetadata().getAnnotations().put(BindDeadlines.RELEASED_AT_ANNOTATION, releasedAt.toString());
      pod.getSpec().setSchedulingGates(List.of());
    }
    return pods;
  }

  private static void unschedulable(Pod pod, String message) {
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled")
        .withStatus("False").withReason("Unschedulable").withMessage(message).endCondition().build());
  }

  @Test
  void aDecisionSaysWhenToLookAgainIfNothingHappens() {
    PlacementDecision decision = decide(gatedPods(), null, T0);
    assertThat(decision.recheckAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(decision.time()).isEqualTo(T0);
  }

  @Test
  void ranksNotBoundWithinTheTimeoutEndTheDecisionAvoidTheirNodesAndSayWhatKubeSchedulerSaid() {
    List<Pod> pods = released(1, T0, "n1", "n2");
    pods.get(0).getSpec().setNodeName("n1");
    unschedulable(pods.get(1), "0/16 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 15 node(s) didn't match "
        + "Pod's node affinity/selector. preemption: 0/16 nodes are available: 16 Preemption is not helpful for scheduling.");

    PlacementDecision waiting = decide(pods, T0.toString(), T0.plusSeconds(30));
    assertThat(waiting.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(waiting.recheckAt()).as("woken at the deadline, not by the periodic resync").isEqualTo(T0.plusSeconds(60));
    assertThat(waiting.delete()).isEmpty();

    PlacementDecision expired = decide(pods, T0.toString(), T0.plusSeconds(61));
    assertThat(expired.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(expired.reason()).isEqualTo("BindTimeout");
    assertThat(expired.message()).contains("1 of 2 ranks did not bind within 60 s")
        .contains("rank 1 (pod llm-r1-a1) on n2: 0/16 nodes are available: 1 node(s) didn't match pod anti-affinity rules")
        .doesNotContain("affinity/selector").contains("without n2");
    assertThat(expired.avoid()).singleElement().satisfies(a -> {
      assertThat(a.getNode()).isEqualTo("n2");
      assertThat(a.getReason()).isEqualTo("BindTimeout");
      assertThat(a.getUntil()).isEqualTo(T0.plusSeconds(61).plus(Duration.ofMinutes(10)).toString());
    });
    assertThat(expired.delete()).hasSize(2);
    assertThat(expired.recheckAt()).isNull();
  }

  @Test
  void aRankReleasedLateHasTheWholeTimeoutFromItsRelease() {
    // Placed at T0; rank 1 waited for its node until T0+50 and was released then.
    List<Pod> pods = released(1, T0.plusSeconds(50), "n1", "n2");
    pods.get(0).getSpec().setNodeName("n1");
    PlacementDecision decision = decide(pods, T0.toString(), T0.plusSeconds(70));
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(decision.recheckAt()).isEqualTo(T0.plusSeconds(110));
  }

  @Test
  void aBoundGangHasNothingToWaitFor() {
    List<Pod> pods = released(1, T0, "n1", "n2");
    pods.get(0).getSpec().setNodeName("n1");
    pods.get(1).getSpec().setNodeName("n2");
    PlacementDecision decision = decide(pods, T0.toString(), T0.plusSeconds(3600));
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(decision.recheckAt()).isNull();
    assertThat(decision.annotate()).isEmpty();
    assertThat(decision.release()).isEmpty();
  }

  @Test
  void aRankGatedBehindAPodStuckTerminatingTimesOutNamingThePodAndNode() {
    // Attempt 1's pods were due to be gone at T0+30 (deletion timestamp, grace included); the one on n2 never leaves.
    List<Pod> old = terminatingFirstAttempt();
    old.forEach(p -> p.getMetadata().setDeletionTimestamp(T0.plusSeconds(30).toString()));
    List<Pod> pods = new ArrayList<>(List.of(old.get(1)));
    List<Pod> next = gatedPods(2);
    next.get(0).getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n1");
    next.get(1).getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n2");
    pods.addAll(next);

    PlacementDecision waiting = decide(pods, 2, T0.toString(), T0.plusSeconds(80));
    assertThat(waiting.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(waiting.release().values()).containsExactly("n1");
    assertThat(waiting.recheckAt()).as("the bind timeout after the old pod was due to be gone").isEqualTo(T0.plusSeconds(90));

    PlacementDecision stuck = decide(pods, 2, T0.toString(), T0.plusSeconds(90));
    assertThat(stuck.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(stuck.reason()).isEqualTo("StuckTerminating");
    assertThat(stuck.message()).contains("rank 1 (pod llm-r1-a2) still waits for pod llm-r1-a1 of an earlier attempt to leave n2");
    assertThat(stuck.avoid()).extracting(a -> a.getNode()).containsExactly("n2");
    assertThat(stuck.release()).isEmpty();
    assertThat(stuck.delete()).containsExactlyInAnyOrderElementsOf(next);
  }

  @Test
  void aCacheShowingOnlyPartOfTheWrittenDecisionDoesNotMakeItAgain() {
    List<Pod> pods = gatedPods();
    PlacementDecision decided = decide(pods, null, T0);
    assertThat(decided.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    // The next reconcile's cache shows rank 0's annotation and release, not rank 1's yet.
    List<Pod> seen = gatedPods();
    Pod rank0 = seen.get(0);
    String node0 = decided.annotate().get(pods.get(0));
    rank0.getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, node0);
    rank0.getSpec().setSchedulingGates(List.of());

    PlacementDecision again = decide(seen, T0.toString(), T0.plusSeconds(1));
    assertThat(again.kind()).as("no second decision").isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(again.annotate()).containsOnlyKeys(seen.get(1)).containsValue(decided.annotate().get(pods.get(1)));
    assertThat(again.release()).containsOnlyKeys(seen.get(1));
  }

  @Test
  void afterABindTimeoutTheJobDecidesAgain() {
    List<Pod> pods = released(1, T0, "n1", "n2");
    assertThat(decide(pods, T0.toString(), T0.plusSeconds(61)).kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(decide(gatedPods(), T0.toString(), T0.plusSeconds(62)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  /** A live informer cache: it shows each pod once created; an observation taken before does not hold the pods. */
  private final class Cache {
    private final List<Pod> pods = new ArrayList<>();
    private final List<Node> nodes;

    Cache(List<Node> nodes) {
      this.nodes = nodes;
    }

    void add(List<Pod> created) {
      pods.addAll(created);
      informer.show(nodes, pods);
    }

    /** What a reconcile observes now: the placer reads the cluster from the cache only when the gang decides. */
    GangPlacementStep.Inputs observe() {
      return new GangPlacementStep.Inputs(HOSTS, 0, Set.of(), List::of, List.of(), 220);
    }
  }

  private PlacementDecision decide(String name, int replicas, int gpus, List<Pod> attemptPods, GangPlacementStep.Inputs observed) {
    TrainingJob j = TestJobs.job(name, replicas, gpus);
    GangObservation gang = GangObservation.of(attemptPods, 1, replicas);
    return step.decide("team-a/" + name, new GangPlacementStep.TrainingJobSpecView(j.getSpec(), T0), gang, gang.attemptPods(),
        observed, null, T0);
  }

  private static List<Pod> gated(String name, int replicas, int gpus) {
    TrainingJob j = TestJobs.job(name, replicas, gpus);
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      pods.add(RankPodBuilder.build(j, r, 1, null));
    }
    return pods;
  }

  private static int gpusOn(String node, PlacementDecision... decisions) {
    int gpus = 0;
    for (PlacementDecision d : decisions) {
      for (var e : d.annotate().entrySet()) {
        if (node.equals(e.getValue())) {
          gpus += Integer.parseInt(e.getKey().getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu").getAmount());
        }
      }
    }
    return gpus;
  }

  @Test
  void aGangDecidedAfterAnotherGangsObservationStillHoldsItsGpusWhenThatGangDecides() {
    // A new leader reconciles every job at once: b observes the cache before a's pods reach it, and decides after a did.
    List<Node> oneNode = List.of(node("n1"));
    Cache cache = new Cache(oneNode);
    List<Pod> b = gated("b", 2, 2);
    cache.add(b);
    GangPlacementStep.Inputs observedByB = cache.observe();
    List<Pod> a = gated("a", 4, 1);
    cache.add(a);
    PlacementDecision placedA = decide("a", 4, 1, a, cache.observe());
    PlacementDecision placedB = decide("b", 2, 2, b, observedByB);
    List<Pod> c = gated("c", 4, 1);
    cache.add(c);
    PlacementDecision placedC = decide("c", 4, 1, c, cache.observe());

    assertThat(placedA.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(placedB.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(gpusOn("n1", placedA, placedB, placedC)).as("GPUs decided onto n1, which has 8").isLessThanOrEqualTo(8);
    assertThat(placedC.kind()).as("a and b hold all of n1").isEqualTo(PlacementDecision.Kind.WAITING);
  }

  @Test
  void aRankPreemptedBeforeTheGangRanEndsTheDecisionInsteadOfBeingPinnedAgainToItsOldNode() {
    List<Pod> pods = gatedPods();
    PlacementDecision decided = decide(pods, null, T0);
    String node0 = decided.annotate().get(pods.get(0));
    String node1 = decided.annotate().get(pods.get(1));
    // Rank 0 bound, then kube-scheduler preempted it for a higher-priority pod that now runs on its node; rank 1 is bound.
    Pod survivor = released(1, T0, node1, node1).get(1);
    survivor.getSpec().setNodeName(node1);
    Pod preemptor = RankPodBuilder.build(TestJobs.job("urgent", 1, 8), 0, 1, null);
    preemptor.getSpec().setSchedulingGates(List.of());
    preemptor.getSpec().setNodeName(node0);
    preemptor.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());

    GangObservation afterPreemption = GangObservation.of(List.of(survivor), 1, 2);
    PlacementDecision lost = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), afterPreemption,
        afterPreemption.attemptPods(), inputs(nodes, List.of(survivor, preemptor), Set.of(), List.of()),
        T0.toString(), T0.plusSeconds(5));
    assertThat(lost.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(lost.reason()).isEqualTo(GangPlacementStep.RANK_LOST);
    assertThat(lost.message()).startsWith("rank 0 (pod llm-r0-a1, decided for " + node0 + ") is gone before the gang ran");
    assertThat(lost.delete()).as("the gang is placed again all or nothing").containsExactly(survivor);
    assertThat(lost.avoid()).as("preemption says nothing bad about the node").isEmpty();

    // Rank 0 created again under its old name, while the cache still shows rank 1: it is not pinned to the preemptor's node.
    Pod recreated = RankPodBuilder.build(job, 0, 1, null);
    GangObservation again = GangObservation.of(List.of(recreated, survivor), 1, 2);
    PlacementDecision next = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), again,
        again.attemptPods(), inputs(nodes, List.of(recreated, survivor, preemptor), Set.of(), List.of()),
        T0.toString(), T0.plusSeconds(6));
    assertThat(next.annotate()).doesNotContainEntry(recreated, node0);
    assertThat(next.release()).doesNotContainKey(recreated);
  }

  @Test
  void aRankPodCreatedAgainUnderItsNameDoesNotInheritTheDecisionHeldForThePodThatIsGone() {
    List<Pod> pods = gatedPods();
    pods.get(0).getMetadata().setUid("uid-r0");
    pods.get(1).getMetadata().setUid("uid-r1");
    PlacementDecision decided = decide(pods, null, T0);
    String node0 = decided.annotate().get(pods.get(0));
    // No reconcile saw rank 0 missing: the cache already shows its pod created again (a new uid), beside rank 1.
    Pod recreated = RankPodBuilder.build(job, 0, 1, null);
    recreated.getMetadata().setUid("uid-r0-again");
    Pod preemptor = RankPodBuilder.build(TestJobs.job("urgent", 1, 8), 0, 1, null);
    preemptor.getSpec().setSchedulingGates(List.of());
    preemptor.getSpec().setNodeName(node0);
    preemptor.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    List<Pod> seen = List.of(recreated, pods.get(1));
    GangObservation gang = GangObservation.of(seen, 1, 2);
    List<Pod> cluster = List.of(recreated, pods.get(1), preemptor);
    PlacementDecision next = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang,
        gang.attemptPods(), inputs(nodes, cluster, Set.of(), List.of()), T0.toString(), T0.plusSeconds(6));
    assertThat(next.annotate()).doesNotContainEntry(recreated, node0);
    assertThat(next.release()).doesNotContainEntry(recreated, node0);
    assertThat(next.kind()).as("decided again against the cluster as it is: the preemptor holds " + node0).isEqualTo(PlacementDecision.Kind.WAITING);
  }
}
