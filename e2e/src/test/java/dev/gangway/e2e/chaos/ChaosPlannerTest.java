package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChaosPlannerTest {

  @Test
  void theSameSeedGivesTheSamePlanAndAnotherSeedAnother() {
    assertThat(ChaosPlanner.plan(ChaosProfile.FULL, 7)).isEqualTo(ChaosPlanner.plan(ChaosProfile.FULL, 7));
    assertThat(ChaosPlanner.plan(ChaosProfile.FULL, 7).faults()).isNotEqualTo(ChaosPlanner.plan(ChaosProfile.FULL, 8).faults());
  }

  @Test
  void theFullPlanHasTheSizeIssue10AsksForAndEveryFaultKind() {
    for (long seed = 1; seed <= 20; seed++) {
      ChaosPlan plan = ChaosPlanner.plan(ChaosProfile.FULL, seed);
      assertThat(plan.jobs()).hasSizeGreaterThanOrEqualTo(60);
      assertThat(plan.faults()).hasSizeGreaterThanOrEqualTo(200);
      assertThat(plan.faultsByKind().keySet()).containsExactlyInAnyOrder(FaultKind.values());
      assertThat(plan.jobs()).allSatisfy(j -> assertThat(j.ranks()).isBetween(1, 129));
      assertThat(plan.jobs().stream().filter(JobPlan::fits)).allSatisfy(j -> assertThat(j.ranks()).isBetween(1, 64));
      assertThat(plan.jobs()).anyMatch(j -> !j.fits()).anyMatch(j -> j.requiredLevel() != null).anyMatch(j -> j.groupSize() > 0)
          .anyMatch(j -> j.priorityClass().equals(ChaosPlanner.HIGH)).anyMatch(j -> j.priorityClass().equals(ChaosPlanner.LOW));
      assertThat(plan.faults()).isSortedAccordingTo(java.util.Comparator.comparing(Fault::at).thenComparing(Fault::kind));
      assertThat(plan.faults()).allSatisfy(f -> assertThat(f.at()).isBetween(Duration.ofSeconds(15), ChaosProfile.FULL.faultWindow()));
    }
  }

  @Test
  void jobsMarkedUnfitCannotFitAndFittingOnesLeaveRoomForExcludedNodes() {
    ClusterShape shape = ChaosProfile.FULL.shape();
    for (long seed = 1; seed <= 20; seed++) {
      for (JobPlan j : ChaosPlanner.plan(ChaosProfile.FULL, seed).jobs()) {
        boolean rankTooBig = j.gpusPerRank() > shape.gpusPerNode();
        boolean gangTooBig = j.gpus() > shape.gpus();
        boolean domainTooSmall = j.requiredLevel() != null && j.gpus() > shape.domainGpus(j.requiredLevel());
        assertThat(rankTooBig || gangTooBig || domainTooSmall).as(j.describe()).isEqualTo(!j.fits());
        if (j.fits()) {
          assertThat(j.gpus()).isLessThanOrEqualTo(shape.gpus() / 4);
          if (j.requiredLevel() != null) {
            assertThat(j.gpus() * 2).isLessThanOrEqualTo(shape.domainGpus(j.requiredLevel()));
          }
          if (j.groupSize() > 0) {
            assertThat(j.ranks() % j.groupSize()).isZero();
            assertThat(j.groupSize() * j.gpusPerRank() * 2).isLessThanOrEqualTo(shape.domainGpus(j.groupLevel()));
          }
        }
      }
    }
  }

  @Test
  void aNotReadyBlipEndsWithinTheGraceAndALongOneOutlastsIt() {
    ChaosPlan plan = ChaosPlanner.plan(ChaosProfile.SHORT, 3);
    Duration grace = ChaosProfile.SHORT.nodeNotReadyGrace();
    assertThat(plan.faults()).filteredOn(f -> f.kind() == FaultKind.NODE_NOT_READY_BLIP).allSatisfy(f -> assertThat(f.hold()).isLessThan(grace));
    assertThat(plan.faults()).filteredOn(f -> f.kind() == FaultKind.NODE_NOT_READY).allSatisfy(f -> assertThat(f.hold()).isGreaterThan(grace));
  }

  @Test
  void aFaultChoosesAmongItsCandidatesByItsPick() {
    Fault f = new Fault(Duration.ZERO, FaultKind.RETRYABLE_EXIT, 7, Duration.ZERO);
    assertThat(f.choose(3)).isEqualTo(1);
    assertThat(f.choose(10)).isEqualTo(7);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.choose(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theManifestCarriesTheTopologyPriorityAndLimits() {
    JobPlan job = new JobPlan("j01", 8, 4, "rack", 4, "nvlink-domain", ChaosPlanner.HIGH, Duration.ZERO, Duration.ofSeconds(30), null, 3, 10,
        true);
    assertThat(job.manifest()).contains("name: j01", "replicas: 8", "gpusPerReplica: 4", "required: rack", "groupSize: 4",
        "groupLevel: nvlink-domain", "maxRestarts: 3", "maxInfrastructureRestarts: 10", "priorityClassName: gangway-chaos-high");
    assertThat(new JobPlan("j02", 1, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 2, 10, true).manifest())
        .doesNotContain("topology:");
    assertThat(Arrays.stream(ChaosPlanner.WEIGHTS).allMatch(w -> w > 0)).isTrue();
  }
}
