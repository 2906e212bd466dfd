package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.decide.JobConditions;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.leadership.Leadership;
import dev.gangway.recovery.BadNodeTracker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The gauges dashboards and alerts read: from the stored jobs, on the leader only; leadership on every replica. */
class FleetGaugesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Leadership leadership = Leadership.elected();
  private final FleetGauges gauges = new FleetGauges(registry, leadership, new BadNodeTracker(3, Duration.ofHours(1)),
      new NodeHealthRegistry(Duration.ofDays(1)));

  private static TrainingJob job(String name, JobPhase phase, Instant created) {
    TrainingJob job = TestJobs.job(name, 2, 8);
    job.getMetadata().setCreationTimestamp(created.toString());
    TrainingJobStatus status = new TrainingJobStatus();
    status.setPhase(phase);
    job.setStatus(status);
    return job;
  }

  private Map<String, Double> byTag(String meter, String tag) {
    return registry.find(meter).gauges().stream().collect(Collectors.toMap(g -> g.getId().getTag(tag), Gauge::value));
  }

  @Test
  void theLeaderCountsJobsByPhaseWithEveryPhasePresent() {
    leadership.startLeading();
    gauges.refresh(List.of(job("a", JobPhase.Running, T0), job("b", JobPhase.Running, T0), job("c", JobPhase.Pending, T0),
        job("new", null, T0)), T0.plusSeconds(5));

    assertThat(byTag("gangway.jobs", "phase")).containsEntry("Running", 2.0).containsEntry("Pending", 2.0)
        .containsEntry("Failed", 0.0).hasSize(JobPhase.values().length);
    assertThat(registry.find("gangway.leader").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void aFollowerShowsNoJobFiguresButSaysItDoesNotLead() {
    leadership.startLeading();
    gauges.refresh(List.of(job("a", JobPhase.Pending, T0)), T0);
    leadership.stopLeading();
    gauges.refresh(List.of(job("a", JobPhase.Pending, T0)), T0);

    assertThat(registry.find("gangway.jobs").gauges()).isEmpty();
    assertThat(registry.find("gangway.job.waiting").gauges()).isEmpty();
    assertThat(registry.find("gangway.leader").gauge().value()).isZero();
  }

  @Test
  void waitingCountsFromCreationResumeOrTheFailureAndOnlyForJobsThatWait() {
    leadership.startLeading();
    TrainingJob queued = job("queued", JobPhase.Pending, T0);
    TrainingJob resumed = job("resumed", JobPhase.Pending, T0);
    resumed.getStatus().setConditions(JobConditions.with(List.of(), JobConditions.SUSPENDED, false, "Resumed", "", T0.plusSeconds(100), 1L));
    TrainingJob restarting = job("restarting", JobPhase.Restarting, T0);
    RestartRecord failure = new RestartRecord();
    failure.setTime(T0.plusSeconds(250).toString());
    restarting.getStatus().setRestartHistory(List.of(failure));
    TrainingJob running = job("running", JobPhase.Running, T0);

    gauges.refresh(List.of(queued, resumed, restarting, running), T0.plusSeconds(300));

    assertThat(byTag("gangway.job.waiting", "name")).containsOnly(Map.entry("queued", 300.0), Map.entry("resumed", 200.0),
        Map.entry("restarting", 50.0));
    assertThat(registry.find("gangway.job.waiting").tag("name", "restarting").gauge().getId().getTag("phase")).isEqualTo("Restarting");
  }

  @Test
  void waitingSaysWhatTheJobWaitsForSoTeamsQuotasAndThePlatformsCapacityCanBeToldApart() {
    leadership.startLeading();
    TrainingJob overQuota = job("over-quota", JobPhase.Pending, T0);
    overQuota.getStatus().setConditions(JobConditions.with(List.of(), JobConditions.PLACED, false, "QuotaExceeded", "", T0, 1L));
    TrainingJob queued = job("queued", JobPhase.Pending, T0);
    queued.getStatus().setConditions(JobConditions.with(List.of(), JobConditions.PLACED, false, "QueuedBehind", "", T0, 1L));
    TrainingJob starting = job("starting", JobPhase.Pending, T0);
    starting.getStatus().setConditions(JobConditions.with(List.of(), JobConditions.PLACED, true, "Placed", "", T0, 1L));
    TrainingJob backingOff = job("backing-off", JobPhase.Restarting, T0);
    backingOff.getStatus().setNextRestartTime(T0.plusSeconds(60).toString());

    gauges.refresh(List.of(overQuota, queued, starting, backingOff), T0.plusSeconds(30));

    assertThat(registry.find("gangway.job.waiting").gauges()).extracting(g -> g.getId().getTag("name"), g -> g.getId().getTag("reason"))
        .containsExactlyInAnyOrder(tuple("over-quota", "QuotaExceeded"), tuple("queued", "QueuedBehind"), tuple("starting", "Starting"),
            tuple("backing-off", "RestartBackoff"));
  }

  @Test
  void restartsAddBothBudgetsAndExclusionsCountJobsPerNodeUntilTheyExpire() {
    leadership.startLeading();
    TrainingJob a = job("a", JobPhase.Running, T0);
    a.getStatus().setRestarts(2);
    a.getStatus().setInfrastructureRestarts(1);
    a.getStatus().setNodeExclusions(List.of(new NodeExclusion("gpu-1", "NodeLost", 1, T0.toString(), T0.plusSeconds(3600).toString()),
        new NodeExclusion("gpu-2", "NodeLost", 1, T0.toString(), T0.plusSeconds(10).toString())));
    TrainingJob b = job("b", JobPhase.Running, T0);
    b.getStatus().setNodeExclusions(List.of(new NodeExclusion("gpu-1", "NodeNotReady", 1, T0.toString(), T0.plusSeconds(3600).toString())));

    gauges.refresh(List.of(a, b), T0.plusSeconds(60));

    assertThat(byTag("gangway.job.restarts", "name")).containsOnly(Map.entry("a", 3.0), Map.entry("b", 0.0));
    assertThat(byTag("gangway.node.excluding.jobs", "node")).containsOnly(Map.entry("gpu-1", 2.0));
    assertThat(byTag("gangway.nodes.flagged", "reason")).containsOnly(Map.entry("repeated_failures", 0.0), Map.entry("health_signal", 0.0));

    gauges.refresh(List.of(b), T0.plusSeconds(60));
    assertThat(byTag("gangway.node.excluding.jobs", "node")).containsOnly(Map.entry("gpu-1", 1.0));
    assertThat(registry.find("gangway.job.restarts").tag("name", "a").gauge()).as("a deleted job's row goes").isNull();
  }
}
