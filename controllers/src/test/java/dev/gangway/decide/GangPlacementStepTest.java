package dev.gangway.decide;

import dev.gangway.act.GangPodWriter;
import dev.gangway.act.RankPodBuilder;
import dev.gangway.job.TestJobs;
import dev.gangway.observe.GangObservation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TopologySpec;
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

/**
 * A gang placed before its pods exist and each pod created pinned (one write per rank), resuming after a crash
 * between any two writes, the one case still gated (a previous attempt's pod on the node), and the bind timeout.
 */
class GangPlacementStepTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final Topology HOSTS = Topology.of(50, new Level(0, "host", "kubernetes.io/hostname", 50));
  private final CacheFeed informer = new CacheFeed();
  private GangPlacementStep step = newStep();
  private final TrainingJob job = TestJobs.job("llm", 2, 8);
  private final List<Node> nodes = List.of(node("n1"), node("n2"));

  /** The step of a freshly started operator: its placer holds no decision. */
  private GangPlacementStep newStep() {
    return new GangPlacementStep(new GangPlacer(new PlacementEngine(), informer.cache()), new PlacementQueue(), Duration.ofSeconds(60), PlacementDefaults.STANDARD);
  }

  private static Node node(String name) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("64"))
        .addToAllocatable("memory", new Quantity("512Gi")).addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build();
  }

  /** The cluster as the informers show it now (the placer reads it when the gang decides), and the job's inputs. */
  private GangPlacementStep.Inputs inputs(List<Node> nodes, List<Pod> pods, Set<String> excluded, List<NodeExclusion> exclusions) {
    informer.show(nodes, pods);
    return new GangPlacementStep.Inputs(HOSTS, 0, excluded, List::of, exclusions, () -> 220);
  }

  private PlacementDecision decide(List<Pod> pods, String placedTime, Instant now) {
    return decide(pods, 1, placedTime, now);
  }

  private PlacementDecision decide(List<Pod> pods, int attempt, String placedTime, Instant now) {
    GangObservation gang = GangObservation.of(pods, attempt, 2);
    return step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang, gang.attemptPods(),
        inputs(nodes, pods, Set.of(), List.of()), placedTime, now);
  }

  /** Attempt {@code attempt}'s pods as the actuator creates them from {@code decision}: pinned, annotated, released at its time. */
  private List<Pod> created(PlacementDecision decision, int attempt) {
    List<Pod> pods = new ArrayList<>();
    for (PinnedRank rank : decision.create()) {
      pods.add(GangPodWriter.pinned(RankPodBuilder.build(job, rank.rank(), attempt, null), rank, decision.time()));
    }
    return pods;
  }

  private static String nodeOf(PlacementDecision decision, int rank) {
    return decision.create().stream().filter(r -> r.rank() == rank).findFirst().orElseThrow().node();
  }

  /** Attempt 1's pods, bound and running on n1 and n2, now being deleted. */
  private List<Pod> terminatingFirstAttempt() {
    List<Pod> old = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Pod pod = released(1, T0.minusSeconds(600), "n1", "n2").get(r);
      pod.getSpec().setNodeName("n" + (r + 1));
      pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
      pod.getMetadata().setDeletionTimestamp(T0.toString());
      old.add(pod);
    }
    return old;
  }

  @Test
  void aGangIsPlacedBeforeItsPodsExistAndEachRankIsCreatedPinnedAndUngated() {
    PlacementDecision decision = decide(List.of(), null, T0);
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(decision.nodes()).containsExactlyInAnyOrder("n1", "n2");
    assertThat(decision.create()).extracting(PinnedRank::rank).containsExactly(0, 1);
    assertThat(decision.create()).extracting(PinnedRank::node).containsExactlyElementsOf(decision.nodes());
    assertThat(decision.release()).as("nothing to patch: one write per rank").isEmpty();
    Pod rank0 = created(decision, 1).get(0);
    assertThat(rank0.getSpec().getSchedulingGates()).isNullOrEmpty();
    assertThat(rank0.getSpec().getNodeName()).as("kube-scheduler binds").isNull();
    assertThat(rank0.getMetadata().getAnnotations()).containsEntry(SnapshotFactory.RESERVED_NODE_ANNOTATION, nodeOf(decision, 0))
        .containsEntry(BindDeadlines.RELEASED_AT_ANNOTATION, T0.toString());
    assertThat(rank0.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
        .singleElement().satisfies(t -> assertThat(t.getMatchFields()).singleElement().satisfies(f -> {
          assertThat(f.getKey()).isEqualTo("metadata.name");
          assertThat(f.getValues()).containsExactly(nodeOf(decision, 0));
        }));
  }

  /** A ResourceQuota of team-a on GPUs: {@code hard}, of which {@code used} is counted. */
  private static dev.gangway.quota.NamespaceLimits gpuQuota(String hard, String used) {
    return new dev.gangway.quota.NamespaceLimits(List.of(new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata()
        .withName("gpus").withNamespace("team-a").endMetadata().withNewSpec().addToHard("requests.nvidia.com/gpu", new Quantity(hard))
        .endSpec().withNewStatus().addToUsed("requests.nvidia.com/gpu", new Quantity(used)).endStatus().build()), List.of());
  }

  private PlacementDecision decideUnder(dev.gangway.quota.NamespaceLimits limits, List<Pod> pods, int attempt, Instant now) {
    GangObservation gang = GangObservation.of(pods, attempt, 2);
    informer.show(nodes, pods);
    return step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang, gang.attemptPods(),
        new GangPlacementStep.Inputs(HOSTS, 0, Set.of(), List::of, List.of(), () -> 220, limits), null, now);
  }

  @Test
  void aGangItsNamespacesQuotaCannotAdmitWholeIsNotDecidedAndHoldsNothing() {
    PlacementDecision over = decideUnder(gpuQuota("16", "8"), List.of(), 1, T0);
    assertThat(over.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(over.reason()).isEqualTo(GangPlacementStep.QUOTA_EXCEEDED);
    assertThat(over.message()).contains("2 rank pods need requests.nvidia.com/gpu 16 (8 each)").doesNotContain("earlier attempt");
    assertThat(over.keepsRanksUncreated()).isTrue();
    // It held no nodes: once the quota has room the gang is placed on the same two nodes.
    assertThat(decideUnder(gpuQuota("16", "0"), List.of(), 1, T0.plusSeconds(5)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void onARestartTheQuotaStillCountsTheEarlierAttemptsPodsAndTheMessageSaysSo() {
    List<Pod> old = terminatingFirstAttempt();
    PlacementDecision restart = decideUnder(gpuQuota("16", "16"), old, 2, T0);
    assertThat(restart.reason()).isEqualTo(GangPlacementStep.QUOTA_EXCEEDED);
    assertThat(restart.message()).contains("16 of it is in use").endsWith("(2 pods of this job's earlier attempt still count until they are gone)");
    // Gone, and the quota counts them no more: placed.
    assertThat(decideUnder(gpuQuota("16", "0"), List.of(), 2, T0.plusSeconds(5)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  /** A ResourceQuota of team-a: {@code hard} on one resource, nothing used, with a scope Gangway does not judge (or none). */
  private static dev.gangway.quota.NamespaceLimits quotaOn(String name, String resource, String hard, String scope) {
    var quota = new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata().withName(name).withNamespace("team-a")
        .endMetadata().withNewSpec().addToHard(resource, new Quantity(hard)).endSpec().withNewStatus().endStatus();
    if (scope != null) {
      quota.editSpec().addToScopes(scope).endSpec();
    }
    return new dev.gangway.quota.NamespaceLimits(List.of(quota.build()), List.of());
  }

  private static dev.gangway.quota.QuotaRefusal refusal(String quota, String requested) {
    return dev.gangway.quota.QuotaRefusal.of("pods \"llm-r1-a1\" is forbidden: exceeded quota: " + quota + ", requested: " + requested
        + ", used: " + requested + ", limited: " + requested).orElseThrow();
  }

  @Test
  void aGangPartOfWhichAQuotaRefusesAtCreationIsDeletedAndWaitsCountingThatQuotaFromThenOn() {
    // A quota whose scope the template does not select (no cross-namespace affinity) is left out of the check; at creation
    // the pods select it (say a webhook added such an affinity), and the quota admission admits rank 0 and refuses rank 1.
    dev.gangway.quota.NamespaceLimits unjudged = quotaOn("gpus", "requests.nvidia.com/gpu", "8", "CrossNamespacePodAffinity");
    PlacementDecision placed = decideUnder(unjudged, List.of(), 1, T0);
    assertThat(placed.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    List<Pod> rank0 = created(placed, 1).subList(0, 1);
    step.quotaRefused("team-a/llm", 1, refusal("gpus", "requests.nvidia.com/gpu=8"));

    PlacementDecision rollback = decideUnder(unjudged, rank0, 1, T0.plusSeconds(1));
    assertThat(rollback.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(rollback.reason()).isEqualTo(GangPlacementStep.QUOTA_EXCEEDED);
    assertThat(rollback.delete()).as("half a gang holds GPUs it cannot use").containsExactlyElementsOf(rank0);
    assertThat(rollback.create()).isEmpty();
    assertThat(rollback.message()).startsWith("ResourceQuota 'gpus' refused a rank pod at creation (pods \"llm-r1-a1\" is forbidden")
        .contains("The 1 of 2 rank pods created are deleted");

    // Gone: the same check now counts the quota that refused, scope or not, and the gang waits holding nothing.
    PlacementDecision waits = decideUnder(unjudged, List.of(), 1, T0.plusSeconds(3));
    assertThat(waits.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(waits.reason()).isEqualTo(GangPlacementStep.QUOTA_EXCEEDED);
    assertThat(waits.message()).contains("ResourceQuota 'gpus' in namespace team-a allows 8 in all");
    assertThat(waits.keepsRanksUncreated()).isTrue();
    assertThat(decideUnder(quotaOn("gpus", "requests.nvidia.com/gpu", "16", "CrossNamespacePodAffinity"), List.of(), 1, T0.plusSeconds(5))
        .kind()).as("room for the whole gang").isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void aGangAWebhookRefusesAPodOfIsDeletedWaitsHoldingNothingAndTriesAgainLaterEachTime() {
    String denied = "admission webhook \"policy.example.com\" denied the request: image not signed";
    PlacementDecision placed = decide(List.of(), null, T0);
    assertThat(placed.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    List<Pod> rank0 = created(placed, 1).subList(0, 1);
    step.admissionRefused("team-a/llm", 1, "a rank pod", denied, T0);

    PlacementDecision rollback = decide(rank0, T0.toString(), T0.plusSeconds(1));
    assertThat(rollback.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(rollback.reason()).isEqualTo(ReconcileErrors.ADMISSION_REFUSED);
    assertThat(rollback.delete()).as("half a gang holds GPUs it cannot use").containsExactlyElementsOf(rank0);
    assertThat(rollback.create()).isEmpty();
    assertThat(rollback.message()).startsWith("The API server refused a rank pod at creation: " + denied)
        .contains("The 1 of 2 rank pods created are deleted", "Gangway tries again at " + T0.plusSeconds(10) + " (refusal 1 in a row");
    assertThat(rollback.recheckAt()).as("the pods' deletion wakes it; the retry time at the latest").isEqualTo(T0.plusSeconds(10));

    PlacementDecision waits = decide(List.of(), null, T0.plusSeconds(2));
    assertThat(waits.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(waits.reason()).isEqualTo(ReconcileErrors.ADMISSION_REFUSED);
    assertThat(waits.recheckAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(waits.keepsRanksUncreated()).as("blocked: no pod, Service or hostfile meanwhile").isTrue();
    assertThat(GangPlacementStep.blocked(waits.reason())).isTrue();
    GangObservation other = GangObservation.of(List.of(), 1, 2);
    assertThat(step.decide("team-a/other", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), other, other.attemptPods(),
        inputs(nodes, List.of(), Set.of(), List.of()), null, T0.plusSeconds(2)).kind()).as("its nodes are free for others meanwhile")
        .isEqualTo(PlacementDecision.Kind.PLACED);
    step.forget("team-a/other");

    // The retry time passes: decided again; refused again (every pod this time), the wait doubles.
    PlacementDecision again = decide(List.of(), null, T0.plusSeconds(10));
    assertThat(again.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    step.admissionRefused("team-a/llm", 1, "a rank pod", denied, T0.plusSeconds(10));
    PlacementDecision nothingToDelete = decide(List.of(), T0.plusSeconds(10).toString(), T0.plusSeconds(11));
    assertThat(nothingToDelete.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(nothingToDelete.delete()).isEmpty();
    assertThat(nothingToDelete.recheckAt()).as("no pod event will come: looked at again at once").isEqualTo(T0.plusSeconds(11));
    assertThat(nothingToDelete.message()).contains("No rank pod of the gang exists", "tries again at " + T0.plusSeconds(30) + " (refusal 2 in a row");
    assertThat(decide(List.of(), null, T0.plusSeconds(12)).kind()).as("waiting, not ending again").isEqualTo(PlacementDecision.Kind.WAITING);

    // Admitted at last: once every rank exists the refusals in a row are over, and the next refusal waits 10 s again.
    PlacementDecision third = decide(List.of(), null, T0.plusSeconds(30));
    assertThat(third.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    decide(created(third, 1), T0.plusSeconds(30).toString(), T0.plusSeconds(31));
    step.admissionRefused("team-a/llm", 1, "a rank pod", denied, T0.plusSeconds(40));
    assertThat(decide(List.of(), null, T0.plusSeconds(41)).message()).contains("(refusal 1 in a row");
  }

  @Test
  void aRefusedGangWhoseSpecChangedIsDecidedAgainWithoutWaitingOutItsRetry() {
    assertThat(decide(List.of(), null, T0).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    step.admissionRefused("team-a/llm", 1, "a rank pod", "serviceaccount \"trainr\" not found", T0);
    assertThat(decide(List.of(), T0.toString(), T0.plusSeconds(1)).kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(decide(List.of(), null, T0.plusSeconds(2)).kind()).isEqualTo(PlacementDecision.Kind.WAITING);

    step.specChanged("team-a/llm", T0.plusSeconds(3));
    assertThat(decide(List.of(), null, T0.plusSeconds(3)).kind()).as("10 s before its retry").isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void aServiceRefusedAsTheGangStartsEndsTheDecisionAndTheGangWaitsHoldingNothing() {
    String denied = "services \"llm\" is forbidden: ValidatingAdmissionPolicy 'no-services' denied request: no Services here";
    assertThat(decide(List.of(), null, T0).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    step.admissionRefused("team-a/llm", 1, "the job's Service", denied, T0);

    PlacementDecision ended = decide(List.of(), T0.toString(), T0.plusSeconds(1));
    assertThat(ended.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(ended.message()).startsWith("The API server refused the job's Service at creation: " + denied)
        .contains("No rank pod of the gang exists");
    PlacementDecision waits = decide(List.of(), null, T0.plusSeconds(2));
    assertThat(waits.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(waits.reason()).isEqualTo(ReconcileErrors.ADMISSION_REFUSED);
    assertThat(waits.keepsRanksUncreated()).isTrue();
    GangObservation other = GangObservation.of(List.of(), 1, 2);
    assertThat(step.decide("team-a/other", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), other, other.attemptPods(),
        inputs(nodes, List.of(), Set.of(), List.of()), null, T0.plusSeconds(2)).kind()).as("its nodes are free for others meanwhile")
        .isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void aRankPodCountingMoreThanItsTemplateSaysIsCountedAsTheQuotaAdmissionCountedIt() {
    // The template asks for half a CPU; a mutating webhook adds a sidecar asking for 2, which the admission counts.
    // (Its two containers set a CPU request, as the quota admission requires of each.)
    List<io.fabric8.kubernetes.api.model.Container> containers = job.getSpec().getTemplate().getSpec().getContainers();
    for (int c = 0; c < containers.size(); c++) {
      containers.get(c).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity(c == 0 ? "500m" : "0")).build());
    }
    dev.gangway.quota.NamespaceLimits cpu3 = quotaOn("cpu", "requests.cpu", "3", null);
    PlacementDecision placed = decideUnder(cpu3, List.of(), 1, T0);
    assertThat(placed.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    step.quotaRefused("team-a/llm", 1, refusal("cpu", "requests.cpu=2500m"));
    assertThat(decideUnder(cpu3, created(placed, 1).subList(0, 1), 1, T0.plusSeconds(1)).kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);

    PlacementDecision waits = decideUnder(cpu3, List.of(), 1, T0.plusSeconds(3));
    assertThat(waits.reason()).isEqualTo(GangPlacementStep.QUOTA_EXCEEDED);
    assertThat(waits.message()).startsWith("2 rank pods need requests.cpu 5 (2.5 each); ResourceQuota 'cpu' in namespace team-a allows 3 in all");
    assertThat(decideUnder(quotaOn("cpu", "requests.cpu", "5", null), List.of(), 1, T0.plusSeconds(5)).kind())
        .isEqualTo(PlacementDecision.Kind.PLACED);
    // Forgotten with the job: a new job of the same name is counted from its template again.
    step.forget("team-a/llm");
    assertThat(decideUnder(cpu3, List.of(), 1, T0.plusSeconds(7)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void aQuotaOnCpuWhichTheTemplateLeavesUnsetBlocksTheGangBeforeAnyPod() {
    // Every rank pod would be refused ("must specify requests.cpu"): the gang waits for its template or a LimitRange.
    PlacementDecision waits = decideUnder(quotaOn("cpu", "requests.cpu", "64", null), List.of(), 1, T0);
    assertThat(waits.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(waits.reason()).isEqualTo(GangPlacementStep.QUOTA_REQUIRES_RESOURCES);
    assertThat(waits.message()).contains("sets no requests.cpu");
    assertThat(waits.keepsRanksUncreated()).isTrue();
    assertThat(GangPlacementStep.waitsForQuota(waits.reason())).isTrue();
  }

  @Test
  void aLimitRangeCappingGpusPerContainerBelowTheJobsBlocksTheGangBeforeAnyPodAndItsChangeAdmitsIt() {
    // The job's ranks take 8 GPUs each; the namespace allows 4 per container: every rank pod would be refused.
    var cap = new io.fabric8.kubernetes.api.model.LimitRangeBuilder().withNewMetadata().withName("gpu-cap").withNamespace("team-a")
        .endMetadata().withNewSpec().addNewLimit().withType("Container").addToMax("nvidia.com/gpu", new Quantity("4"))
        .addToDefault("nvidia.com/gpu", new Quantity("4")).endLimit().endSpec().build();
    PlacementDecision waits = decideUnder(new dev.gangway.quota.NamespaceLimits(List.of(), List.of(cap)), List.of(), 1, T0);
    assertThat(waits.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(waits.reason()).isEqualTo(GangPlacementStep.LIMIT_RANGE_VIOLATED);
    assertThat(waits.message()).startsWith("LimitRange 'gpu-cap' in namespace team-a refuses every rank pod: maximum nvidia.com/gpu"
        + " usage per Container is 4, but limit is 8 (container 'trainer')");
    assertThat(waits.keepsRanksUncreated()).isTrue();
    assertThat(GangPlacementStep.waitsForQuota(waits.reason())).as("a LimitRange change looks again").isTrue();
    assertThat(GangPlacementStep.blocked(waits.reason())).isTrue();

    cap.getSpec().getLimits().get(0).getMax().put("nvidia.com/gpu", new Quantity("8"));
    assertThat(decideUnder(new dev.gangway.quota.NamespaceLimits(List.of(), List.of(cap)), List.of(), 1, T0.plusSeconds(1)).kind())
        .isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void ranksAskForTheCpuTheirNamespacesLimitRangeGivesContainersThatSetNone() {
    // Two ranks of 4 GPUs share one 8-GPU node, unless their CPU does not fit there: its two containers set none, and
    // the LimitRange gives each 20 CPUs, 40 a rank, on nodes of 64. kube-scheduler would refuse the second rank.
    job.getSpec().setGpusPerReplica(4);
    PlacementDecision packed = decideUnder(dev.gangway.quota.NamespaceLimits.NONE, List.of(), 1, T0);
    assertThat(packed.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(packed.nodes()).as("no LimitRange: nothing but GPUs asked").containsExactly("n1", "n1");

    step = newStep();
    var defaults = new io.fabric8.kubernetes.api.model.LimitRangeBuilder().withNewMetadata().withName("defaults").withNamespace("team-a")
        .endMetadata().withNewSpec().addNewLimit().withType("Container").addToDefaultRequest("cpu", new Quantity("20")).endLimit()
        .endSpec().build();
    PlacementDecision spread = decideUnder(new dev.gangway.quota.NamespaceLimits(List.of(), List.of(defaults)), List.of(), 1, T0);
    assertThat(spread.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(spread.nodes()).containsExactlyInAnyOrder("n1", "n2");
  }

  @Test
  void aCacheShowingOnlyPartOfTheCreatedPodsCreatesTheRestAgainWithoutDecidingAgain() {
    PlacementDecision decided = decide(List.of(), null, T0);
    List<Pod> seen = created(decided, 1).subList(0, 1);
    unschedulable(seen.get(0), "0/16 nodes are available: 1 Insufficient nvidia.com/gpu");
    PlacementDecision again = decide(seen, T0.toString(), T0.plusSeconds(1));
    assertThat(again.kind()).as("no second decision").isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(again.create()).containsExactly(new PinnedRank(1, nodeOf(decided, 1)));
    assertThat(again.release()).isEmpty();
    assertThat(again.recheckAt()).as("rank 0's bind deadline").isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void afterACrashBetweenTheStatusWriteAndTheCreatesTheNextOperatorDecidesAgain() {
    PlacementDecision persisted = decide(List.of(), null, T0);
    assertThat(persisted.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    step = newStep();
    PlacementDecision again = decide(List.of(), T0.toString(), T0.plusSeconds(5));
    assertThat(again.kind()).as("nothing was written on the lost decision's strength").isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(again.create()).hasSize(2);
  }

  @Test
  void afterACrashAmongTheCreatesTheNextOperatorVoidsTheDecisionItDoesNotHold() {
    PlacementDecision persisted = decide(List.of(), null, T0);
    List<Pod> rank0Only = created(persisted, 1).subList(0, 1);
    step = newStep();
    PlacementDecision voided = decide(rank0Only, T0.toString(), T0.plusSeconds(5));
    assertThat(voided.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(voided.reason()).isEqualTo(GangPlacementStep.RANK_LOST);
    assertThat(voided.create()).as("never pinned again on a decision no one holds").isEmpty();
    assertThat(voided.delete()).containsExactlyElementsOf(rank0Only);
    // While the deleted pod still terminates under rank 0's name, nothing is decided; once it is gone, the gang is placed again.
    rank0Only.get(0).getMetadata().setDeletionTimestamp(T0.plusSeconds(5).toString());
    assertThat(decide(rank0Only, T0.toString(), T0.plusSeconds(6)).kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(decide(List.of(), T0.toString(), T0.plusSeconds(7)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void podsCreatedGatedBeforePlacementByAnEarlierVersionArePlacedAndReleasedInOnePatchEach() {
    List<Pod> legacy = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Pod pod = RankPodBuilder.build(job, r, 1, null);
      pod.getSpec().setSchedulingGates(List.of(new io.fabric8.kubernetes.api.model.PodSchedulingGate(GangPlacementStep.GATE)));
      legacy.add(pod);
    }
    PlacementDecision placed = decide(legacy, null, T0);
    assertThat(placed.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(placed.create()).as("they exist").isEmpty();
    assertThat(placed.release()).containsOnlyKeys(legacy);
    assertThat(placed.release().values()).containsExactlyInAnyOrderElementsOf(placed.nodes());
    assertThat(placed.delete()).isEmpty();
  }

  @Test
  void aRestartIsDecidedWhileTheFailedAttemptTerminatesAndEachRankIsCreatedOnceItsNodeIsFree() {
    // The gang fills both nodes; attempt 1 still holds them. Its GPUs are going away, so attempt 2 is decided now...
    List<Pod> old = terminatingFirstAttempt();
    PlacementDecision decided = decide(old, 2, null, T0);
    assertThat(decided.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(decided.nodes()).containsExactlyInAnyOrder("n1", "n2");
    // ...but no rank is created yet: an attempt-1 pod still occupies each node. Nothing to patch later either.
    assertThat(decided.create()).isEmpty();
    assertThat(decided.release()).isEmpty();

    // Attempt 1's pod on n1 is gone: only the rank decided for n1 is created, pinned and released at once.
    PlacementDecision partly = decide(List.of(old.get(1)), 2, T0.toString(), T0.plusSeconds(1));
    assertThat(partly.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(partly.create()).extracting(PinnedRank::node).containsExactly("n1");
    List<Pod> next = new ArrayList<>(created(partly, 2));
    assertThat(next).singleElement().satisfies(p -> {
      assertThat(p.getSpec().getSchedulingGates()).isNullOrEmpty();
      assertThat(p.getMetadata().getAnnotations()).containsEntry(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n1")
          .containsKey(BindDeadlines.RELEASED_AT_ANNOTATION);
    });

    // All of attempt 1 gone: the rest is created, and the decision is never made again.
    PlacementDecision rest = decide(next, 2, T0.toString(), T0.plusSeconds(2));
    assertThat(rest.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(rest.create()).extracting(PinnedRank::node).containsExactly("n2");
    assertThat(rest.release()).isEmpty();
  }

  @Test
  void aRankWaitingUncreatedBehindAPodStuckTerminatingHoldsItsNodeUntilItIsOverdueThenTimesOut() {
    // Attempt 1's pods were due to be gone at T0+90 (a 90 s grace period); the one on n2 never leaves.
    List<Pod> old = terminatingFirstAttempt();
    old.forEach(p -> p.getMetadata().setDeletionTimestamp(T0.plusSeconds(90).toString()));
    assertThat(decide(old, 2, null, T0).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    PlacementDecision one = decide(List.of(old.get(1)), 2, T0.toString(), T0.plusSeconds(1));
    List<Pod> pods = new ArrayList<>(List.of(old.get(1)));
    pods.addAll(created(one, 2));
    pods.get(1).getSpec().setNodeName("n1"); // bound by kube-scheduler

    // Past the decision's own creation deadline (the 60 s bind timeout): the uncreated rank still holds n2, and its
    // deadline is the old pod's due time plus the timeout.
    PlacementDecision waiting = decide(pods, 2, T0.toString(), T0.plusSeconds(120));
    assertThat(waiting.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(waiting.create()).isEmpty();
    assertThat(waiting.recheckAt()).isEqualTo(T0.plusSeconds(150));

    PlacementDecision stuck = decide(pods, 2, T0.toString(), T0.plusSeconds(150));
    assertThat(stuck.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(stuck.reason()).isEqualTo("StuckTerminating");
    assertThat(stuck.message()).contains("rank 1 (pod llm-r1-a2, not created yet) still waits for pod llm-r1-a1 of an earlier attempt "
        + "to leave n2 (due to be gone at " + T0.plusSeconds(90) + ")");
    assertThat(stuck.avoid()).extracting(a -> a.getNode()).containsExactly("n2");
    assertThat(stuck.delete()).extracting(p -> p.getMetadata().getName()).containsExactly("llm-r0-a2");
  }

  @Test
  void aRankThatWaitedPastTheDecisionsCreationDeadlineIsStillCreatedWhenTheOldPodLeaves() {
    List<Pod> old = terminatingFirstAttempt();
    old.forEach(p -> p.getMetadata().setDeletionTimestamp(T0.plusSeconds(90).toString()));
    decide(old, 2, null, T0);
    List<Pod> pods = new ArrayList<>(List.of(old.get(1)));
    pods.addAll(created(decide(List.of(old.get(1)), 2, T0.toString(), T0.plusSeconds(1)), 2));
    pods.get(1).getSpec().setNodeName("n1");
    decide(pods, 2, T0.toString(), T0.plusSeconds(100));

    // The old pod leaves after its 90 s grace period, past the 60 s the decision gave its creates: n2 was held for it.
    PlacementDecision late = decide(List.of(pods.get(1)), 2, T0.toString(), T0.plusSeconds(121));
    assertThat(late.kind()).as("not voided as a lost rank").isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(late.create()).extracting(PinnedRank::node).containsExactly("n2");
  }

  @Test
  void anotherJobsTerminatingPodsStillCountAsUsed() {
    Pod foreign = RankPodBuilder.build(TestJobs.job("other", 1, 8), 0, 1, null);
    foreign.getSpec().setNodeName("n1");
    foreign.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    foreign.getMetadata().setDeletionTimestamp(T0.toString());
    GangObservation gang = GangObservation.of(List.of(), 1, 2);
    PlacementDecision decision = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang,
        gang.attemptPods(), inputs(nodes, List.of(foreign), Set.of(), List.of()), null, T0);
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(decision.create()).as("no pod while it waits").isEmpty();
  }

  @Test
  void aGangItsExclusionsLeaveNoRoomForWaitsWithAReasonNamingThemAndWhenTheFirstEnds() {
    GangObservation gang = GangObservation.of(List.of(), 1, 2);
    List<NodeExclusion> exclusions = List.of(new NodeExclusion("n2", "NodeLost", 1, T0.minusSeconds(60).toString(),
        T0.plusSeconds(3600).toString()));
    PlacementDecision decision = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang,
        gang.attemptPods(), inputs(nodes, List.of(), Set.of("n2"), exclusions), null, T0);
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(decision.reason()).isEqualTo(GangPlacementStep.EXCLUDED_NODES_LEAVE_NO_ROOM);
    assertThat(decision.message()).isEqualTo("needs 2 ranks x 8 GPUs; without the 1 node it keeps off now, "
        + "the whole cluster has 1 node x 8 GPUs = 8 GPUs this job may use (room for 1 such ranks); 1 of them is excluded after "
        + "failures of this job there (status.nodeExclusions), the first until 2026-11-26T11:00:00Z; the job waits for them");
  }

  /** The gang as the cache shows it once created: rank r pinned and reserved on nodes[r], released at {@code releasedAt}. */
  private List<Pod> released(int attempt, Instant releasedAt, String... nodes) {
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      pods.add(GangPodWriter.pinned(RankPodBuilder.build(job, r, attempt, null), new PinnedRank(r, nodes[r]), releasedAt));
    }
    return pods;
  }

  private static void unschedulable(Pod pod, String message) {
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled")
        .withStatus("False").withReason("Unschedulable").withMessage(message).endCondition().build());
  }

  @Test
  void aDecisionSaysWhenToLookAgainIfNothingHappens() {
    PlacementDecision decision = decide(List.of(), null, T0);
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
    unschedulable(pods.get(1), "0/16 nodes are available: 1 Insufficient nvidia.com/gpu");
    PlacementDecision decision = decide(pods, T0.toString(), T0.plusSeconds(70));
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(decision.recheckAt()).isEqualTo(T0.plusSeconds(110));
  }

  @Test
  void aRankKubeSchedulerHasNotTriedYetIsNotBlamedOnItsNodeUntilFiveTimeouts() {
    // A 2,000-rank gang on a busy control plane: kube-scheduler has not reached rank 1 a minute after its release.
    List<Pod> pods = released(1, T0, "n1", "n2");
    pods.get(0).getSpec().setNodeName("n1");
    PlacementDecision behind = decide(pods, T0.toString(), T0.plusSeconds(61));
    assertThat(behind.kind()).as("not void: nothing says the node cannot take it").isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(behind.recheckAt()).isEqualTo(T0.plusSeconds(300));

    // Once it has tried and refused, the one timeout from the release applies (passed already).
    Pod refused = pods.get(1);
    unschedulable(refused, "0/16 nodes are available: 1 node(s) didn't match pod anti-affinity rules");
    assertThat(decide(pods, T0.toString(), T0.plusSeconds(62)).reason()).isEqualTo("BindTimeout");

    // One that never comes (kube-scheduler down) ends the decision at the cap, saying so.
    List<Pod> untried = released(1, T0, "n1", "n2");
    untried.get(0).getSpec().setNodeName("n1");
    step = newStep();
    PlacementDecision capped = decide(untried, T0.toString(), T0.plusSeconds(300));
    assertThat(capped.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(capped.message()).contains("rank 1 (pod llm-r1-a1) on n2: kube-scheduler has not tried to bind it in 300 s");
  }

  @Test
  void aBoundGangHasNothingToWaitFor() {
    List<Pod> pods = released(1, T0, "n1", "n2");
    pods.get(0).getSpec().setNodeName("n1");
    pods.get(1).getSpec().setNodeName("n2");
    PlacementDecision decision = decide(pods, T0.toString(), T0.plusSeconds(3600));
    assertThat(decision.kind()).isEqualTo(PlacementDecision.Kind.NONE);
    assertThat(decision.recheckAt()).isNull();
    assertThat(decision.create()).isEmpty();
    assertThat(decision.release()).isEmpty();
  }

  @Test
  void aRankAnEarlierVersionGatedBehindAPodStuckTerminatingTimesOutNamingThePodAndNode() {
    // Attempt 1's pods were due to be gone at T0+30 (deletion timestamp, grace included); the one on n2 never leaves.
    List<Pod> old = terminatingFirstAttempt();
    old.forEach(p -> p.getMetadata().setDeletionTimestamp(T0.plusSeconds(30).toString()));
    List<Pod> pods = new ArrayList<>(List.of(old.get(1)));
    List<Pod> next = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      // Created behind the gate by an earlier Gangway version, which created such ranks at once.
      Pod pod = GangPodWriter.pinned(RankPodBuilder.build(job, r, 2, null), new PinnedRank(r, "n" + (r + 1)), T0);
      pod.getMetadata().getAnnotations().remove(BindDeadlines.RELEASED_AT_ANNOTATION);
      pod.getSpec().setSchedulingGates(List.of(new io.fabric8.kubernetes.api.model.PodSchedulingGate(GangPlacementStep.GATE)));
      next.add(pod);
    }
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
  void afterABindTimeoutTheJobDecidesAgain() {
    List<Pod> pods = released(1, T0, "n1", "n2");
    pods.forEach(p -> unschedulable(p, "0/16 nodes are available: 1 Insufficient nvidia.com/gpu"));
    assertThat(decide(pods, T0.toString(), T0.plusSeconds(61)).kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(decide(List.of(), T0.toString(), T0.plusSeconds(62)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  private PlacementDecision decideAlone(String name, int replicas, int gpus, List<Node> nodes, Instant now) {
    TrainingJob j = TestJobs.job(name, replicas, gpus);
    GangObservation gang = GangObservation.of(List.of(), 1, replicas);
    return step.decide("team-a/" + name, new GangPlacementStep.TrainingJobSpecView(j.getSpec(), T0), gang, gang.attemptPods(),
        inputs(nodes, List.of(), Set.of(), List.of()), null, now);
  }

  private static int gpusOn(String node, int gpusPerRank, PlacementDecision decision) {
    return (int) decision.create().stream().filter(r -> node.equals(r.node())).count() * gpusPerRank;
  }

  @Test
  void aDecisionWhosePodsTheCacheDoesNotShowYetHoldsItsGpusAgainstTheNextGangs() {
    // A new leader reconciles every job at once: no gang's pods exist when the next gang decides.
    List<Node> oneNode = List.of(node("n1"));
    PlacementDecision placedA = decideAlone("a", 4, 1, oneNode, T0);
    PlacementDecision placedB = decideAlone("b", 2, 2, oneNode, T0);
    PlacementDecision placedC = decideAlone("c", 4, 1, oneNode, T0);

    assertThat(placedA.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(placedB.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(gpusOn("n1", 1, placedA) + gpusOn("n1", 2, placedB) + gpusOn("n1", 1, placedC))
        .as("GPUs decided onto n1, which has 8").isLessThanOrEqualTo(8);
    assertThat(placedC.kind()).as("a and b hold all of n1").isEqualTo(PlacementDecision.Kind.WAITING);
  }

  @Test
  void aGangThatCouldNeverFitIsUnschedulableBeforeAnythingIsDecidedOrBuiltPerRank() {
    PlacementDecision million = decideAlone("million", 1_000_000, 8, nodes, T0);
    assertThat(million.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(million.reason()).isEqualTo(GangPlacementStep.UNSCHEDULABLE);
    assertThat(million.keepsRanksUncreated()).isTrue();
    assertThat(million.create()).isEmpty();
    // Ranks asking for nothing stack without limit in placement's eyes: the nodes' pod slots (220 here) bound them, and
    // the gang is judged without a list of its two billion missing ranks being built.
    PlacementDecision noGpus = decideAlone("no-gpus", Integer.MAX_VALUE, 0, nodes, T0);
    assertThat(noGpus.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(noGpus.message()).isEqualTo("needs 2147483647 rank pods; the cluster's nodes admit 220 pods in all (status.allocatable.pods)");
    assertThat(noGpus.keepsRanksUncreated()).isTrue();
    assertThat(noGpus.create()).isEmpty();
    // Neither holds anything: a gang that fits takes both nodes.
    PlacementDecision fits = decideAlone("fits", 2, 8, nodes, T0);
    assertThat(fits.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(fits.create()).extracting(PinnedRank::node).containsExactlyInAnyOrder("n1", "n2");
  }

  @Test
  void aDecisionWhosePodsAreNeverCreatedStopsHoldingItsGpusAfterTheBindTimeout() {
    List<Node> oneNode = List.of(node("n1"));
    assertThat(decideAlone("a", 1, 8, oneNode, T0).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(decideAlone("b", 1, 8, oneNode, T0.plusSeconds(59)).kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    // a's pod never appeared (its job was deleted before the create, say): its hold lapses with its creation deadline.
    assertThat(decideAlone("b", 1, 8, oneNode, T0.plusSeconds(60)).kind()).isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void aRankPreemptedBeforeTheGangRanEndsTheDecisionInsteadOfBeingPinnedAgainToItsOldNode() {
    PlacementDecision decided = decide(List.of(), null, T0);
    List<Pod> pods = created(decided, 1);
    String node0 = nodeOf(decided, 0);
    String node1 = nodeOf(decided, 1);
    // The next reconcile sees both pods; then rank 0 binds and kube-scheduler preempts it for a higher-priority pod that
    // now runs on its node; rank 1 is bound.
    assertThat(decide(pods, T0.toString(), T0.plusSeconds(1)).create()).isEmpty();
    Pod survivor = pods.get(1);
    survivor.getSpec().setNodeName(node1);
    Pod preemptor = RankPodBuilder.build(TestJobs.job("urgent", 1, 8), 0, 1, null);
    preemptor.getSpec().setNodeName(node0);
    preemptor.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());

    GangObservation afterPreemption = GangObservation.of(List.of(survivor), 1, 2);
    PlacementDecision lost = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), afterPreemption,
        afterPreemption.attemptPods(), inputs(nodes, List.of(survivor, preemptor), Set.of(), List.of()),
        T0.toString(), T0.plusSeconds(5));
    assertThat(lost.kind()).isEqualTo(PlacementDecision.Kind.EXPIRED);
    assertThat(lost.reason()).isEqualTo(GangPlacementStep.RANK_LOST);
    assertThat(lost.message()).startsWith("rank 0 (pod llm-r0-a1, decided for " + node0 + ") is missing before the gang ran");
    assertThat(lost.create()).as("rank 0 is not created again on the preemptor's node").isEmpty();
    assertThat(lost.delete()).as("the gang is placed again all or nothing").containsExactly(survivor);
    assertThat(lost.avoid()).as("preemption says nothing bad about the node").isEmpty();
  }

  @Test
  void aRankPodCreatedAgainUnderItsNameDoesNotInheritTheDecisionHeldForThePodThatIsGone() {
    PlacementDecision decided = decide(List.of(), null, T0);
    List<Pod> pods = created(decided, 1);
    pods.get(0).getMetadata().setUid("uid-r0");
    pods.get(1).getMetadata().setUid("uid-r1");
    assertThat(decide(pods, T0.toString(), T0.plusSeconds(1)).kind()).isEqualTo(PlacementDecision.Kind.NONE);
    // No reconcile saw rank 0 missing: the cache already shows a pod of its name created again by someone else (a new uid,
    // no placement, no gate), beside rank 1.
    Pod recreated = RankPodBuilder.build(job, 0, 1, null);
    recreated.getMetadata().setUid("uid-r0-again");
    List<Pod> seen = List.of(recreated, pods.get(1));
    GangObservation gang = GangObservation.of(seen, 1, 2);
    PlacementDecision next = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang,
        gang.attemptPods(), inputs(nodes, seen, Set.of(), List.of()), T0.toString(), T0.plusSeconds(6));
    assertThat(next.kind()).as("decided again, not carried on from the pod that is gone").isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(next.create()).isEmpty();
    assertThat(next.release()).as("an ungated pod is never narrowed").isEmpty();
  }

  /**
   * Racks r1 {n1, n2} and r2 {n3, n4}; another job holds n2 and n4, so the gang fits now only across both racks. Asking
   * to wait 60 s for a tighter placement, it waits (recheck at the end of its wait), then takes the two racks.
   */
  /** Two racks of two nodes, one node of each busy: a 2-rank gang fits now only across both racks, on idle nodes in one. */
  private Topology oneBusyNodePerRack() {
    Topology racks = Topology.of(5, new Level(0, "rack", "example.com/rack", 25), new Level(1, "host", "kubernetes.io/hostname", 450));
    List<Node> rackNodes = new ArrayList<>();
    for (int n = 1; n <= 4; n++) {
      Node node = node("n" + n);
      node.getMetadata().getLabels().put("example.com/rack", n <= 2 ? "r1" : "r2");
      rackNodes.add(node);
    }
    TrainingJob other = TestJobs.job("other", 2, 8);
    List<Pod> busy = List.of(TestJobs.pod(other, 0, 1, "n2", TestJobs.running("n2")), TestJobs.pod(other, 1, 1, "n4", TestJobs.running("n4")));
    informer.show(rackNodes, busy);
    return racks;
  }

  @Test
  void aGangAskingToWaitForATighterPlacementHoldsOutUntilItsWaitEndsThenTakesWhatThereIs() {
    Topology racks = oneBusyNodePerRack();
    TrainingJob patient = TestJobs.job("llm", 2, 8);
    patient.getSpec().setTopology(new dev.gangway.api.v1alpha1.TopologySpec());
    patient.getSpec().getTopology().setWaitForTighterSeconds(60);
    var queued = List.of(new dev.gangway.placement.QueuedGang("team-a/llm", 0, T0, T0, racks,
        GangRequests.of("team-a/llm", patient.getSpec(), List.of(), Set.of()), Duration.ofSeconds(60)));
    GangObservation gang = GangObservation.of(List.of(), 1, 2);
    GangPlacementStep.Inputs in = new GangPlacementStep.Inputs(racks, 0, Set.of(), () -> queued, List.of(), () -> 220);
    var spec = new GangPlacementStep.TrainingJobSpecView(patient.getSpec(), T0);

    PlacementDecision early = step.decide("team-a/llm", spec, gang, List.of(), in, null, T0.plusSeconds(10));
    assertThat(early.kind()).isEqualTo(PlacementDecision.Kind.WAITING);
    assertThat(early.reason()).isEqualTo("WaitingForTighterPlacement");
    assertThat(early.message()).startsWith("it fits now on 2 racks; on the nodes usable now, were they idle, on 1 rack")
        .contains("until " + T0.plusSeconds(60));
    assertThat(early.recheckAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(early.create()).as("nothing decided, nothing created").isEmpty();

    PlacementDecision late = step.decide("team-a/llm", spec, gang, List.of(), in, null, T0.plusSeconds(60));
    assertThat(late.kind()).isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(late.nodes()).containsExactlyInAnyOrder("n1", "n3");

    step = newStep();
    patient.getSpec().getTopology().setWaitForTighterSeconds(0);
    PlacementDecision eager = step.decide("team-a/llm", new GangPlacementStep.TrainingJobSpecView(patient.getSpec(), T0), gang, List.of(),
        new GangPlacementStep.Inputs(racks, 0, Set.of(), List::of, List.of(), () -> 220), null, T0.plusSeconds(10));
    assertThat(eager.kind()).as("0: placed as soon as it fits").isEqualTo(PlacementDecision.Kind.PLACED);
  }

  @Test
  void aGangThatLeavesTheWaitUnsetHoldsOutForTheOperatorsDefaultUnlessThePlatformTurnedItOff() {
    Topology racks = oneBusyNodePerRack();
    TrainingJob unset = TestJobs.job("llm", 2, 8);
    GangObservation gang = GangObservation.of(List.of(), 1, 2);
    // Stored in the queue since T0, as its Pending status makes it.
    var queued = List.of(new dev.gangway.placement.QueuedGang("team-a/llm", 0, T0, T0, racks,
        GangRequests.of("team-a/llm", unset.getSpec(), List.of(), Set.of()), PlacementDefaults.STANDARD.waitForTighter()));
    GangPlacementStep.Inputs in = new GangPlacementStep.Inputs(racks, 0, Set.of(), () -> queued, List.of(), () -> 220);
    var spec = new GangPlacementStep.TrainingJobSpecView(unset.getSpec(), T0);

    PlacementDecision standard = step.decide("team-a/llm", spec, gang, List.of(), in, null, T0.plusSeconds(10));
    assertThat(standard.reason()).isEqualTo("WaitingForTighterPlacement");
    assertThat(standard.recheckAt()).isEqualTo(T0.plusSeconds(TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS));

    step = new GangPlacementStep(new GangPlacer(new PlacementEngine(), informer.cache()), new PlacementQueue(), Duration.ofSeconds(60),
        PlacementDefaults.NO_WAIT);
    PlacementDecision noWait = step.decide("team-a/llm", spec, gang, List.of(), in, null, T0.plusSeconds(10));
    assertThat(noWait.kind()).as("the platform's default 0: placed as soon as it fits").isEqualTo(PlacementDecision.Kind.PLACED);
    assertThat(noWait.nodes()).containsExactlyInAnyOrder("n1", "n3");
    step = newStep();
    PlacementDecision restart = step.decide("team-a/llm", spec, GangObservation.of(List.of(), 2, 2), List.of(), in, null,
        T0.plusSeconds(10));
    assertThat(restart.kind()).as("a restart does not hold out unless its spec asks").isEqualTo(PlacementDecision.Kind.PLACED);
  }
}
