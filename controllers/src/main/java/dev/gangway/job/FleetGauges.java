package dev.gangway.job;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.decide.JobConditions;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.leadership.Leadership;
import dev.gangway.pod.Timestamps;
import dev.gangway.recovery.BadNodeTracker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The fleet's state as gauges for dashboards and alerts, read from the stored jobs (so a new leader shows the same
 * figures): jobs by phase, how long each waiting job has waited, each job's restarts, the jobs keeping each node
 * excluded, the nodes Gangway flags. Only the leader shows them (a follower's rows are empty, so sums over replicas
 * count each job once); every replica shows {@code gangway_leader}, so an alert sees when none leads.
 */
final class FleetGauges {
  private final Leadership leadership;
  private final BadNodeTracker badNodes;
  private final NodeHealthRegistry health;
  private final MultiGauge jobsByPhase;
  private final MultiGauge waiting;
  private final MultiGauge restarts;
  private final MultiGauge excludingJobs;
  private final MultiGauge nodesFlagged;

  FleetGauges(MeterRegistry registry, Leadership leadership, BadNodeTracker badNodes, NodeHealthRegistry health) {
    this.leadership = leadership;
    this.badNodes = badNodes;
    this.health = health;
    Gauge.builder("gangway.leader", leadership, l -> l.isLeader() ? 1 : 0)
        .description("1 on the replica that holds the leader Lease (and reconciles), 0 on the others").register(registry);
    jobsByPhase = MultiGauge.builder("gangway.jobs").description("TrainingJobs by status.phase").register(registry);
    waiting = MultiGauge.builder("gangway.job.waiting").baseUnit("seconds")
        .description("How long a Pending or Restarting job has waited to run: since its creation or resume, or since the failure that "
            + "restarts it; reason: what it waits for (its Placed=False reason, e.g. QuotaExceeded, Unschedulable; RestartBackoff; "
            + "Starting once placed)")
        .register(registry);
    restarts = MultiGauge.builder("gangway.job.restarts")
        .description("Gang restarts of the job so far (status.restarts plus status.infrastructureRestarts)").register(registry);
    excludingJobs = MultiGauge.builder("gangway.node.excluding.jobs")
        .description("Jobs that keep the node excluded after a failure that was the node's (status.nodeExclusions)").register(registry);
    nodesFlagged = MultiGauge.builder("gangway.nodes.flagged")
        .description("Nodes Gangway judges bad: repeated_failures (several jobs failed there within the window), health_signal (a live fatal signal)")
        .register(registry);
  }

  /** Recomputes every row from {@code jobs} (the leader's cache) at {@code now}; a follower clears its rows. */
  void refresh(Collection<TrainingJob> jobs, Instant now) {
    if (!leadership.isLeader()) {
      List.of(jobsByPhase, waiting, restarts, excludingJobs, nodesFlagged).forEach(g -> g.register(List.of(), true));
      return;
    }
    Map<JobPhase, Integer> phases = new EnumMap<>(JobPhase.class);
    for (JobPhase p : JobPhase.values()) {
      phases.put(p, 0);
    }
    List<MultiGauge.Row<?>> waitingRows = new ArrayList<>();
    List<MultiGauge.Row<?>> restartRows = new ArrayList<>();
    Map<String, Integer> excluding = new TreeMap<>();
    for (TrainingJob job : jobs) {
      TrainingJobStatus status = job.getStatus();
      JobPhase phase = status == null || status.getPhase() == null ? JobPhase.Pending : status.getPhase();
      phases.merge(phase, 1, Integer::sum);
      Tags jobTags = Tags.of("namespace", job.getMetadata().getNamespace(), "name", job.getMetadata().getName());
      Instant since = waitingSince(job, phase);
      if (since != null) {
        waitingRows.add(MultiGauge.Row.of(jobTags.and("phase", phase.name(), "reason", waitingReason(status)),
            Math.max(0, Duration.between(since, now).toSeconds())));
      }
      if (status != null) {
        int n = Objects.requireNonNullElse(status.getRestarts(), 0) + Objects.requireNonNullElse(status.getInfrastructureRestarts(), 0);
        restartRows.add(MultiGauge.Row.of(jobTags, n));
        for (NodeExclusion e : Objects.requireNonNullElse(status.getNodeExclusions(), List.<NodeExclusion>of())) {
          Instant until = Timestamps.parse(e.getUntil());
          if (e.getNode() != null && (until == null || until.isAfter(now))) {
            excluding.merge(e.getNode(), 1, Integer::sum);
          }
        }
      }
    }
    jobsByPhase.register(phases.entrySet().stream().<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("phase", e.getKey().name()),
        e.getValue())).toList(), true);
    waiting.register(waitingRows, true);
    restarts.register(restartRows, true);
    excludingJobs.register(excluding.entrySet().stream().<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("node", e.getKey()),
        e.getValue())).toList(), true);
    nodesFlagged.register(List.of(MultiGauge.Row.of(Tags.of("reason", "repeated_failures"), badNodes.flagged().size()),
        MultiGauge.Row.of(Tags.of("reason", "health_signal"), health.fatalNodes(now).size())), true);
  }

  /**
   * Since when a job waits to run: a Pending job since its creation, or since it was last resumed; a Restarting one
   * since the failure that restarts it. Null for the other phases.
   */
  /**
   * What a waiting job waits for, as a label a dashboard can split by: a quota or a missing object is the team's to
   * fix, capacity the platform's.
   */
  static String waitingReason(TrainingJobStatus status) {
    if (status == null) {
      return "Starting";
    }
    if (status.getPhase() == JobPhase.Restarting && status.getNextRestartTime() != null) {
      return "RestartBackoff";
    }
    return JobConditions.notPlacedReason(status.getConditions()).filter(r -> !r.isBlank()).orElse("Starting");
  }

  static Instant waitingSince(TrainingJob job, JobPhase phase) {
    Instant created = Timestamps.parse(job.getMetadata().getCreationTimestamp());
    TrainingJobStatus status = job.getStatus();
    if (phase == JobPhase.Pending) {
      Instant resumed = status == null ? null : JobConditions.find(status.getConditions(), JobConditions.SUSPENDED)
          .filter(c -> "False".equals(c.getStatus())).map(c -> Timestamps.parse(c.getLastTransitionTime())).orElse(null);
      return resumed != null && (created == null || resumed.isAfter(created)) ? resumed : created;
    }
    if (phase == JobPhase.Restarting) {
      List<RestartRecord> history = status.getRestartHistory();
      Instant failed = history == null || history.isEmpty() ? null : Timestamps.parse(history.get(history.size() - 1).getTime());
      return failed != null ? failed : created;
    }
    return null;
  }
}
