package dev.gangway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RankPlacement;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The plugin's views, computed from API objects without a cluster. */
class ViewsTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final Topology TWO_CLIQUES = Topology.of(7, new Level(0, "nvlink-domain", "clique", 900),
      new Level(1, "host", "kubernetes.io/hostname", 900));

  @ParameterizedTest
  @CsvSource({"'0,1,2,3', 0-3", "'0,1,2,3,6', '0-3,6'", "'5', 5", "'1,3,5', '1,3,5'", "'', ''"})
  void rankListsReadAsRanges(String ranks, String expected) {
    List<Integer> list = ranks.isEmpty() ? List.of() : java.util.Arrays.stream(ranks.split(",")).map(Integer::valueOf).toList();
    assertThat(JobReport.ranges(list)).isEqualTo(expected == null ? "" : expected);
  }

  @ParameterizedTest
  @CsvSource({"45, 45s", "119, 119s", "120, 2m", "7199, 119m", "7200, 2h", "172800, 2d"})
  void agesReadLikeKubectls(long seconds, String expected) {
    assertThat(JobSummary.age(seconds)).isEqualTo(expected);
  }

  @Test
  void ranksAreGroupedByTheDomainOfTheirNodeAtEachLevel() {
    List<Node> nodes = List.of(node("n1", "a", 8), node("n2", "a", 8), node("n3", "b", 8));
    List<RankPlacement> ranks = List.of(rank(0, "n1"), rank(1, "n2"), rank(2, "n3"), rank(3, "n1"));
    var domains = JobReport.domains(ranks, TWO_CLIQUES, nodes);
    assertThat(domains.get("nvlink-domain")).containsExactly(Map.entry("a", List.of(0, 1, 3)), Map.entry("b", List.of(2)));
    assertThat(domains.get("host")).containsEntry("n1", List.of(0, 3));
  }

  @Test
  void topCountsBoundPodsAndReservationsAndTellsWholeFreeNodesFromFragments() {
    List<Node> nodes = List.of(node("n1", "a", 8), node("n2", "a", 8), node("n3", "b", 8), node("n4", "b", 8));
    List<Pod> pods = List.of(gpuPod("p1", "n1", null, 8), gpuPod("p2", "n3", null, 2),
        gpuPod("p3", null, "n4", 8)); // p3 is gated with Gangway's reservation on n4: its GPUs are taken already
    List<DomainUsage> rows = DomainUsage.of(TWO_CLIQUES, nodes, pods);
    assertThat(rows).extracting(DomainUsage::level, DomainUsage::domain).containsExactly(
        org.assertj.core.api.Assertions.tuple("cluster", "all"), org.assertj.core.api.Assertions.tuple("nvlink-domain", "a"),
        org.assertj.core.api.Assertions.tuple("nvlink-domain", "b"));
    DomainUsage all = rows.get(0);
    assertThat(all.gpus()).isEqualTo(32);
    assertThat(all.used()).isEqualTo(18);
    assertThat(all.wholeNodesFree()).isEqualTo(1);
    DomainUsage b = rows.get(2);
    assertThat(b.free()).isEqualTo(6);
    assertThat(b.wholeNodesFree()).isZero();
    assertThat(b.fragmentation()).isEqualTo(1.0); // every free GPU of b sits on a partly used node
    assertThat(rows.get(1).fragmentation()).isZero();
    assertThat(DomainUsage.table(rows)).contains("WHOLE NODES FREE").contains("18 (56%)");
  }

  @Test
  void whyPlacesAWaitingJobInTheQueueAsTheOperatorOrdersIt() {
    TrainingJob first = waiting("first", NOW.minusSeconds(300));
    TrainingJob second = waiting("second", NOW.minusSeconds(100));
    TrainingJob running = waiting("running", NOW.minusSeconds(900));
    running.getStatus().setPhase(JobPhase.Running);
    ClusterState cluster = new ClusterState(List.of(second, running, first), List.of(node("n1", "a", 8)), List.of(), List.of(),
        List.of(), NOW);

    WaitExplanation why = WaitExplanation.of(second, cluster);
    assertThat(why.state()).isEqualTo("Queued");
    assertThat(why.queuePosition()).isEqualTo(2);
    assertThat(why.queueLength()).isEqualTo(2);
    assertThat(why.ahead()).singleElement().asString().startsWith("ml/first");
    assertThat(why.detail()).isEqualTo("needs 2 ranks x 8 GPUs; 1 free");
    assertThat(why.text()).contains("position 2 of 2").contains("ahead: ml/first");
    assertThat(WaitExplanation.of(running, cluster).state()).isEqualTo("Running");
    assertThat(WaitExplanation.blockingReason(second)).isEqualTo("InsufficientCapacity");
  }

  @Test
  void getShowsGoodputSoFarAndADashBeforeTheJobHeldGpus() {
    TrainingJob measured = waiting("measured", NOW.minusSeconds(3600));
    measured.getStatus().setPhase(JobPhase.Running);
    measured.getStatus().setGoodput(goodput(0.8734, 7200L * 16, 6288L * 16));
    measured.getStatus().setRestarts(1);
    measured.getStatus().setInPlaceRestarts(2);
    TrainingJob queued = waiting("queued", NOW.minusSeconds(60));

    String table = JobSummary.table(JobSummary.of(List.of(queued, measured), NOW), false);
    assertThat(table.lines().findFirst().orElseThrow().split("\\s{2,}")).containsSubsequence("RESTARTS", "GOODPUT", "WAITING ON");
    assertThat(table.lines().filter(l -> l.startsWith("measured")).findFirst().orElseThrow()).contains("87.3%", " 1 (+2 in place) ");
    assertThat(table.lines().filter(l -> l.startsWith("queued")).findFirst().orElseThrow()).contains(" - ");
  }

  @Test
  void describeSaysWhatTheHeldGpuTimeWasLostTo() {
    TrainingJob job = waiting("llm", NOW.minusSeconds(3600));
    job.getStatus().setGoodput(goodput(0.75, 3600L * 16, 2700L * 16));
    job.getStatus().getGoodput().getLostGpuSeconds().setLostWork(600L * 16);
    job.getStatus().getGoodput().getLostGpuSeconds().setRestart(300L * 16);
    ClusterState cluster = new ClusterState(List.of(job), List.of(), List.of(), List.of(), List.of(), NOW);

    String text = JobReport.of(job, cluster).text();
    assertThat(text).contains("Goodput:    75.0% so far: 12.00 GPU-h useful of 16.00 held");
    assertThat(text).containsPattern("work since last checkpoint +2\\.67").containsPattern("restart and re-placement +1\\.33")
        .containsPattern("waiting for capacity +0\\.00");
    job.getStatus().setGoodput(null);
    assertThat(JobReport.of(job, cluster).text()).contains("Goodput:    not counted yet");
  }

  @Test
  void describeSaysWhenTheProcessesRestartedInPlaceAndWhatTheyResumedFrom() {
    TrainingJob job = waiting("llm", NOW.minusSeconds(3600));
    var checkpoint = new dev.gangway.api.v1alpha1.CheckpointStatus();
    checkpoint.setStep(1300L);
    checkpoint.setPath("/ckpt/step-1300");
    checkpoint.setAttempt(1);
    checkpoint.setTime(NOW.toString());
    job.getStatus().setLastCheckpoint(checkpoint);
    ClusterState cluster = new ClusterState(List.of(job), List.of(), List.of(), List.of(), List.of(), NOW);
    assertThat(JobReport.of(job, cluster).text()).doesNotContain("in place");

    checkpoint.setInPlaceRestarts(2);
    assertThat(JobReport.of(job, cluster).text()).contains("(attempt 1, 2026-12-01T12:00:00Z); processes restarted in place 2 times\n");
    checkpoint.setInPlaceRestartTime(NOW.minusSeconds(300).toString());
    checkpoint.setResumedFromTime(NOW.minusSeconds(900).toString());
    assertThat(JobReport.of(job, cluster).text())
        .contains("in place 2 times, the last at 2026-12-01T11:55:00Z, resuming from the checkpoint of 2026-12-01T11:45:00Z");
  }

  private static dev.gangway.api.v1alpha1.GoodputStatus goodput(double ratio, long held, long useful) {
    var g = new dev.gangway.api.v1alpha1.GoodputStatus();
    g.setRatio(ratio);
    g.setHeldGpuSeconds(held);
    g.setUsefulGpuSeconds(useful);
    g.setSinceCheckpointGpuSeconds(0L);
    g.setLostGpuSeconds(new dev.gangway.api.v1alpha1.GoodputLossStatus());
    g.setUpdatedTime(NOW.toString());
    return g;
  }

  @Test
  void whyTellsASuspendedJobHowToResume() {
    TrainingJob job = waiting("paused", NOW);
    job.getSpec().setSuspend(true);
    job.getStatus().setPhase(JobPhase.Suspended);
    WaitExplanation why = WaitExplanation.of(job, new ClusterState(List.of(job), List.of(), List.of(), List.of(), List.of(), NOW));
    assertThat(why.state()).isEqualTo("Suspended");
    assertThat(why.detail()).contains("kubectl gangway resume paused");
  }

  @Test
  void whyEndsTheOperatorsUnschedulableMessageBeforeSayingWhatToDo() {
    TrainingJob job = waiting("huge", NOW);
    job.getStatus().setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Placed").withStatus("False")
        .withReason("Unschedulable").withMessage("needs 40 ranks x 8 GPUs; the whole cluster has 16 nodes x 8 GPUs = 128 GPUs this job "
            + "may use (room for 16 such ranks)").withLastTransitionTime(NOW.toString()).build())));
    WaitExplanation why = WaitExplanation.of(job, new ClusterState(List.of(job), List.of(), List.of(), List.of(), List.of(), NOW));
    assertThat(why.detail()).contains("(room for 16 such ranks). It will not start on this cluster as asked");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"TopologyNotFound", "PriorityClassNotFound", "QuotaExceeded", "QuotaRequiresResources", "LimitRangeViolated", "AdmissionRefused"})
  void whyCallsAJobWaitingForWhatOnlyAPersonChangesBlockedNotStarting(String reason) {
    TrainingJob job = waiting("early", NOW);
    job.getStatus().setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Placed").withStatus("False")
        .withReason(reason).withMessage("what to create or raise").withLastTransitionTime(NOW.toString()).build())));
    WaitExplanation why = WaitExplanation.of(job, new ClusterState(List.of(job), List.of(), List.of(), List.of(), List.of(), NOW));
    assertThat(why.text()).startsWith("ml/early: Blocked (" + reason + ")\n").contains("Why:     what to create or raise.");
    assertThat(why.queuePosition()).isNull();
  }

  @Test
  void describeListsTheNodeExclusionsInForceWithCauseAndEnd() {
    TrainingJob job = waiting("flaky", NOW.minusSeconds(3600));
    job.getStatus().setNodeExclusions(new ArrayList<>(List.of(
        new NodeExclusion("n1", "NodeLost", 1, NOW.minusSeconds(600).toString(), NOW.plusSeconds(600).toString()),
        new NodeExclusion("n2", "NodeUnhealthy", 1, NOW.minusSeconds(900).toString(), NOW.minusSeconds(1).toString()))));
    JobReport report = JobReport.of(job, new ClusterState(List.of(job), List.of(node("n1", "a", 8)), List.of(), List.of(), List.of(), NOW));
    assertThat(report.nodeExclusions()).extracting(NodeExclusion::getNode).as("n2's exclusion has ended").containsExactly("n1");
    assertThat(report.text()).contains("excluded nodes: n1 (NodeLost, until 2026-12-01T12:10:00Z)").doesNotContain("n2 (");
  }

  private static TrainingJob waiting(String name, Instant since) {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("ml")
        .withCreationTimestamp(since.toString()).build());
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(2);
    spec.setGpusPerReplica(8);
    spec.setTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder().withNewSpec().addNewContainer().withName("train")
        .withImage("x").endContainer().endSpec().build());
    job.setSpec(spec);
    TrainingJobStatus status = new TrainingJobStatus();
    status.setPhase(JobPhase.Pending);
    status.setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Placed").withStatus("False")
        .withReason("InsufficientCapacity").withMessage("needs 2 ranks x 8 GPUs; 1 free").withLastTransitionTime(since.toString())
        .build())));
    job.setStatus(status);
    return job;
  }

  private static RankPlacement rank(int rank, String node) {
    RankPlacement r = new RankPlacement();
    r.setRank(rank);
    r.setNode(node);
    return r;
  }

  static Node node(String name, String clique, int gpus) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("clique", clique).addToLabels("kubernetes.io/hostname", name)
        .endMetadata().withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity(String.valueOf(gpus)))
        .addToAllocatable("cpu", new Quantity("64")).addToAllocatable("memory", new Quantity("512Gi")).addToAllocatable("pods", new Quantity("110"))
        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
  }

  static Pod gpuPod(String name, String boundTo, String reservedOn, int gpus) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("ml").addToLabels("gangway.dev/job-name", "j")
        .endMetadata().withNewSpec().withNodeName(boundTo).addNewContainer().withName("c").withNewResources()
        .addToLimits("nvidia.com/gpu", new Quantity(String.valueOf(gpus))).endResources().endContainer().endSpec()
        .withNewStatus().withPhase(boundTo == null ? "Pending" : "Running").endStatus();
    if (reservedOn != null) {
      b.editMetadata().addToAnnotations("gangway.dev/reserved-node", reservedOn).endMetadata();
    }
    return b.build();
  }
}
