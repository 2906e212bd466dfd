package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
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
  private final GangPlacementStep step = new GangPlacementStep(new GangPlacer(new PlacementEngine()),
      new PlacementQueue(Duration.ofMinutes(10)), Duration.ofSeconds(60));
  private final TrainingJob job = TestJobs.job("llm", 2, 8);
  private final List<Node> nodes = List.of(node("n1"), node("n2"));

  private static Node node(String name) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("64"))
        .addToAllocatable("memory", new Quantity("512Gi")).addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build();
  }

  private GangPlacementStep.Plan plan(List<Pod> pods, String placedTime, Instant now) {
    GangObservation gang = GangObservation.of(pods, 1, 2);
    return step.plan("team-a/llm", new GangPlacementStep.TrainingJobSpecView(job.getSpec(), T0), gang, gang.attemptPods(),
        new GangPlacementStep.Inputs(HOSTS, nodes, pods, 0, Set.of()), placedTime, now);
  }

  private List<Pod> gatedPods() {
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      pods.add(RankPodBuilder.build(job, r, 1, null));
    }
    return pods;
  }

  @Test
  void aCompleteGatedGangIsAnnotatedThenReleasedToItsNodes() {
    GangPlacementStep.Plan plan = plan(gatedPods(), null, T0);
    assertThat(plan.outcome().kind()).isEqualTo(PlacementOutcome.Kind.PLACED);
    assertThat(plan.annotate().values()).containsExactlyInAnyOrder("n1", "n2");
    assertThat(plan.release()).hasSize(2);
  }

  @Test
  void anIncompleteGangIsNotPlaced() {
    assertThat(plan(gatedPods().subList(0, 1), null, T0).outcome().kind()).isEqualTo(PlacementOutcome.Kind.NONE);
  }

  @Test
  void afterACrashBetweenThePhasesTheWrittenDecisionIsReleasedWithoutDecidingAgain() {
    List<Pod> pods = gatedPods();
    pods.get(0).getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n2");
    pods.get(1).getMetadata().getAnnotations().put(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n1");
    GangPlacementStep.Plan plan = plan(pods, null, T0);
    assertThat(plan.annotate()).isEmpty();
    assertThat(plan.release()).containsValues("n2", "n1");
  }

  @Test
  void ranksNotBoundWithinTheTimeoutReleaseTheWholeGang() {
    List<Pod> pods = gatedPods();
    pods.forEach(p -> p.getSpec().setSchedulingGates(List.of()));
    pods.get(0).getSpec().setNodeName("n1");
    assertThat(plan(pods, T0.toString(), T0.plusSeconds(30)).outcome().kind()).isEqualTo(PlacementOutcome.Kind.NONE);
    GangPlacementStep.Plan expired = plan(pods, T0.toString(), T0.plusSeconds(61));
    assertThat(expired.outcome().kind()).isEqualTo(PlacementOutcome.Kind.EXPIRED);
    assertThat(expired.outcome().message()).contains("1 of 2 ranks were not bound");
    assertThat(expired.delete()).hasSize(2);
  }
}
