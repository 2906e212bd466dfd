package dev.gangway.decide;

import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.observe.ClusterView;
import dev.gangway.placement.QueuedGang;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The queue is rebuilt from TrainingJobs as the API server stores them: membership and order. */
class WaitingGangsTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final ClusterView CLUSTER = new ClusterView(List.of(), List.of(), List.of(
      new PriorityClassBuilder().withNewMetadata().withName("urgent").endMetadata().withValue(1000).build(),
      new PriorityClassBuilder().withNewMetadata().withName("normal").endMetadata().withValue(0).withGlobalDefault(true).build()));

  private static TrainingJob job(String name, int ageSeconds, String priorityClass, JobPhase phase, String placedStatus, String reason) {
    TrainingJob job = TestJobs.job(name, 2, 8);
    job.getMetadata().setCreationTimestamp(T0.minusSeconds(ageSeconds).toString());
    job.getSpec().getTemplate().getSpec().setPriorityClassName(priorityClass);
    if (phase != null) {
      TrainingJobStatus status = new TrainingJobStatus();
      status.setPhase(phase);
      if (placedStatus != null) {
        status.setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Placed").withStatus(placedStatus).withReason(reason)
            .withLastTransitionTime(T0.minusSeconds(ageSeconds - 5).toString()).build())));
      }
      job.setStatus(status);
    }
    return job;
  }

  private static List<TrainingJob> cluster() {
    TrainingJob suspended = job("suspended", 500, null, JobPhase.Suspended, null, null);
    suspended.getSpec().setSuspend(true);
    return List.of(
        job("old-waiting", 300, null, JobPhase.Pending, "False", "InsufficientCapacity"),
        job("new-urgent", 10, "urgent", JobPhase.Pending, "False", "RequiredLevelTooSmall"),
        job("never-fits", 900, "urgent", JobPhase.Pending, "False", "Unschedulable"),
        job("placed", 800, null, JobPhase.Pending, "True", "GangPlaced"),
        job("running", 700, null, JobPhase.Running, "True", "GangPlaced"),
        job("restarting", 600, null, JobPhase.Restarting, "False", "RankFailed"),
        job("just-created", 5, null, null, null, null),
        job("same-age-b", 300, null, JobPhase.Pending, "False", "InsufficientCapacity"),
        suspended);
  }

  private static List<String> order(List<TrainingJob> stored) {
    return WaitingGangs.of(stored.stream(), CLUSTER, Set.of(), T0, PlacementDefaults.STANDARD).stream().sorted(QueuedGang.ORDER)
        .map(QueuedGang::jobKey).toList();
  }

  @Test
  void theQueueIsEveryUnplacedPendingOrRestartingJobExceptUnschedulableOnesInPriorityThenAgeThenKeyOrder() {
    assertThat(order(cluster())).containsExactly("team-a/new-urgent", "team-a/restarting", "team-a/old-waiting", "team-a/same-age-b",
        "team-a/just-created");
  }

  @Test
  void aNewLeaderRebuildsTheSameOrderFromStoredJobsListedInAnyOrder() {
    List<String> before = order(cluster());
    for (long seed = 1; seed <= 5; seed++) {
      // What a new leader's informer lists: the objects as stored (JSON round trip), in any order.
      List<TrainingJob> stored = new ArrayList<>(cluster().stream()
          .map(j -> JSON.unmarshal(JSON.asJson(j), TrainingJob.class)).toList());
      Collections.shuffle(stored, new Random(seed));
      assertThat(order(stored)).isEqualTo(before);
    }
  }

  @Test
  void waitingSinceIsWhenPlacedLastTurnedFalseAndPriorityComesFromThePriorityClass() {
    QueuedGang urgent = WaitingGangs.of(cluster().stream(), CLUSTER, Set.of(), T0, PlacementDefaults.STANDARD).stream()
        .filter(g -> g.jobKey().equals("team-a/new-urgent")).findFirst().orElseThrow();
    assertThat(urgent.priority()).isEqualTo(1000);
    assertThat(urgent.createdAt()).isEqualTo(T0.minusSeconds(10));
    assertThat(urgent.waitingSince()).isEqualTo(T0.minusSeconds(5));
  }

  @Test
  void aJobWhosePriorityClassDoesNotExistHoldsNoPlaceInTheQueueUntilItDoes() {
    // Before its first reconcile too (no status): at the head it would hold capacity for pods the API server refuses.
    List<TrainingJob> stored = List.of(job("no-class", 900, "missing", null, null, null),
        job("no-class-waiting", 800, "missing", JobPhase.Pending, "False", "PriorityClassNotFound"),
        job("fine", 40, null, null, null, null));
    assertThat(order(stored)).containsExactly("team-a/fine");
    ClusterView withClass = new ClusterView(List.of(), List.of(), List.of(
        new PriorityClassBuilder().withNewMetadata().withName("missing").endMetadata().withValue(5).build()));
    assertThat(WaitingGangs.of(stored.stream(), withClass, Set.of(), T0, PlacementDefaults.STANDARD).stream().sorted(QueuedGang.ORDER)
        .map(QueuedGang::jobKey))
        .containsExactly("team-a/no-class", "team-a/no-class-waiting", "team-a/fine");
  }

  @Test
  void aJobWhoseClusterTopologyDoesNotExistHoldsNoPlaceInTheQueueUntilItDoes() {
    TrainingJob early = job("early", 900, null, JobPhase.Pending, "False", "TopologyNotFound");
    early.getSpec().setTopology(new dev.gangway.api.v1alpha1.TopologySpec());
    early.getSpec().getTopology().setTopologyName("late");
    early.getSpec().getTopology().setRequired("rack");
    List<TrainingJob> stored = List.of(early, job("fine", 40, null, null, null, null));
    assertThat(order(stored)).containsExactly("team-a/fine");
    var late = new dev.gangway.api.v1alpha1.ClusterTopology();
    late.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("late").build());
    late.getSpec().getLevels().add(new dev.gangway.api.v1alpha1.TopologyLevel("rack", "example.com/rack", 50));
    assertThat(WaitingGangs.of(stored.stream(), new ClusterView(List.of(late), List.of(), List.of()), Set.of(), T0,
        PlacementDefaults.STANDARD).stream().sorted(QueuedGang.ORDER).map(QueuedGang::jobKey))
        .containsExactly("team-a/early", "team-a/fine");
  }

  @Test
  void aJobWaitingForItsNamespacesQuotaHoldsNoPlaceInTheQueue() {
    // At the head it would hold nodes for a gang the quota admission would not let start.
    assertThat(order(List.of(job("over-quota", 900, null, JobPhase.Pending, "False", "QuotaExceeded"),
        job("no-cpu-set", 800, null, JobPhase.Pending, "False", "QuotaRequiresResources"),
        job("fine", 40, null, null, null, null)))).containsExactly("team-a/fine");
  }

  @Test
  void aMalformedCreationTimeSortsLastInsteadOfBreakingTheQueue() {
    TrainingJob odd = job("odd", 50, null, null, null, null);
    odd.getMetadata().setCreationTimestamp("not a time");
    assertThat(WaitingGangs.of(List.of(odd, job("fine", 40, null, null, null, null)).stream(), CLUSTER, Set.of(), T0, PlacementDefaults.STANDARD))
        .extracting(QueuedGang::jobKey, QueuedGang::createdAt)
        .containsExactlyInAnyOrder(tuple("team-a/odd", Instant.MAX), tuple("team-a/fine", T0.minusSeconds(40)));
  }

  @Test
  void aJobWhoseSpecCannotBeReadIsLeftOutInsteadOfBreakingTheQueue() {
    TrainingJob broken = job("broken", 50, null, JobPhase.Pending, "False", "InsufficientCapacity");
    // A quantity the API server would never accept: reading the request throws.
    broken.getSpec().getTemplate().getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("lots")).build());
    assertThat(WaitingGangs.of(List.of(broken, job("fine", 40, null, null, null, null)).stream(), CLUSTER, Set.of(), T0, PlacementDefaults.STANDARD))
        .extracting(QueuedGang::jobKey).containsExactly("team-a/fine");
  }

  @Test
  void aJobThatLeavesWaitForTighterSecondsUnsetHoldsOutForTheOperatorsDefaultOnItsFirstAttemptOnly() {
    TrainingJob unset = job("unset", 40, null, null, null, null);
    TrainingJob eager = job("eager", 40, null, null, null, null);
    eager.getSpec().setTopology(new dev.gangway.api.v1alpha1.TopologySpec());
    eager.getSpec().getTopology().setWaitForTighterSeconds(0);
    TrainingJob patient = job("patient", 40, null, null, null, null);
    patient.getSpec().setTopology(new dev.gangway.api.v1alpha1.TopologySpec());
    patient.getSpec().getTopology().setWaitForTighterSeconds(300);
    TrainingJob restarting = job("restarting", 40, null, JobPhase.Restarting, "False", "RankFailed");
    restarting.getStatus().setAttempt(2);
    List<TrainingJob> stored = List.of(unset, eager, patient, restarting);

    assertThat(WaitingGangs.of(stored.stream(), CLUSTER, Set.of(), T0, PlacementDefaults.STANDARD))
        .extracting(QueuedGang::jobKey, QueuedGang::waitForTighter)
        .containsExactlyInAnyOrder(tuple("team-a/unset", Duration.ofSeconds(30)), tuple("team-a/eager", Duration.ZERO),
            tuple("team-a/patient", Duration.ofSeconds(300)), tuple("team-a/restarting", Duration.ZERO));
    // A platform that set its own default (Helm placement.waitForTighterSeconds) changes only the job that left it unset.
    assertThat(WaitingGangs.of(stored.stream(), CLUSTER, Set.of(), T0, PlacementDefaults.NO_WAIT))
        .extracting(QueuedGang::jobKey, QueuedGang::waitForTighter)
        .containsExactlyInAnyOrder(tuple("team-a/unset", Duration.ZERO), tuple("team-a/eager", Duration.ZERO),
            tuple("team-a/patient", Duration.ofSeconds(300)), tuple("team-a/restarting", Duration.ZERO));
  }
  @Test
  void aFirstAttemptPastItsRestartBackoffIsQueuedAsTheRestartItIsSoNoOneHoldsTighterCapacityForIt() {
    // status.attempt still names the failed attempt until the next attempt's pods are observed.
    TrainingJob restarting = job("restarting", 40, null, JobPhase.Restarting, "False", "RankFailed");
    restarting.getStatus().setAttempt(1);
    restarting.getStatus().setNextRestartTime(T0.minusSeconds(1).toString());
    TrainingJob backingOff = job("backing-off", 40, null, JobPhase.Restarting, "False", "RankFailed");
    backingOff.getStatus().setAttempt(1);
    backingOff.getStatus().setNextRestartTime(T0.plusSeconds(5).toString());

    assertThat(WaitingGangs.of(List.of(restarting, backingOff).stream(), CLUSTER, Set.of(), T0, PlacementDefaults.STANDARD))
        .extracting(QueuedGang::jobKey, QueuedGang::waitForTighter)
        .containsExactlyInAnyOrder(tuple("team-a/restarting", Duration.ZERO), tuple("team-a/backing-off", Duration.ofSeconds(30)));
  }
}
