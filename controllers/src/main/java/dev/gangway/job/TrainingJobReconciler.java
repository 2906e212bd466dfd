package dev.gangway.job;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.rendezvous.RendezvousEnvironment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import jakarta.inject.Inject;
import dev.gangway.checkpoint.CheckpointLedger;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.checkpoint.TerminationMessage;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin loop for TrainingJobs: observe the job's pods, let {@link JobStatusMachine} decide the
 * status, {@link GangActions} the pods to create or delete and {@link GangPlacementStep} where the
 * gang goes; apply the result idempotently and write status only when it changed.
 */
@ControllerConfiguration(name = TrainingJobReconciler.NAME)
public class TrainingJobReconciler implements Reconciler<TrainingJob> {
  public static final String NAME = "trainingjob";
  private static final Logger LOG = LoggerFactory.getLogger(TrainingJobReconciler.class);
  private static final String TOPOLOGIES = "clustertopologies";
  private static final String NODES = "nodes";
  private static final String PRIORITY_CLASSES = "priorityclasses";
  private static final String SIGNALS = "signals";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  /** How often a gang waiting for capacity tries again. */
  static final Duration RETRY_PLACEMENT = Duration.ofSeconds(5);

  private final Clock clock;
  private final JobDependencies deps;
  private final JobEventRecorder events;
  private final GangPlacementStep placement;
  private final GangRecoveryStep recovery;
  private final JobMetrics metrics;
  private final Teardowns teardowns = new Teardowns();
  private final NodeMarker nodeMarker;
  private static final String BY_OWNER = "gangway-owner-uid";
  private volatile InformerEventSource<Pod, TrainingJob> podSource;
  private final SimpleInboundEventSource<TrainingJob> signals = new SimpleInboundEventSource<>(SIGNALS);

  public TrainingJobReconciler() {
    this(JobDependencies.standalone());
  }

  @Inject
  public TrainingJobReconciler(JobDependencies deps) {
    this.deps = deps;
    this.clock = deps.clock();
    this.events = new JobEventRecorder();
    this.placement = new GangPlacementStep(new GangPlacer(new PlacementEngine()), new PlacementQueue(deps.backfillBound()),
        deps.bindTimeout());
    this.recovery = new GangRecoveryStep(deps);
    this.nodeMarker = new NodeMarker(deps.nodeMarking());
    this.metrics = new JobMetrics(deps.meters(), placement::waiting);
  }

  @Override
  public List<EventSource<?, TrainingJob>> prepareEventSources(EventSourceContext<TrainingJob> context) {
    // Every pod of the cluster: the job's own (mapped to it by owner reference) and everyone else's,
    // whose requests placement must count wherever they run.
    var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, TrainingJob.class)
        .withWatchAllNamespaces().withItemStore(new WithoutManagedFields<>()).build(), context);
    // A job's pods by owner uid: read as a list, not as the SDK's secondary-resource set, which hashes every pod whole.
    pods.addIndexers(java.util.Map.of(BY_OWNER, TrainingJobReconciler::ownerUids));
    this.podSource = pods;
    var services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    var configMaps = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    // Read from their caches; a change does not re-trigger jobs (waiting gangs retry on a timer).
    var topologies = readOnly(ClusterTopology.class, TOPOLOGIES, context);
    // A node that goes NotReady, is deleted or gets a taint wakes the jobs with ranks on it.
    var nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, TrainingJob.class)
        .withName(NODES).withWatchAllNamespaces().withItemStore(new WithoutManagedFields<>())
        .withSecondaryToPrimaryMapper(node -> jobsOn(pods, node.getMetadata().getName()))
        .withOnAddFilter(node -> false)
        .withOnUpdateFilter(NodeChanges::matterToGangs)
        .build(), context);
    var priorityClasses = readOnly(PriorityClass.class, PRIORITY_CLASSES, context);
    // Checkpoint reports and node-health signals arrive on messaging channels; they wake the jobs they concern.
    deps.checkpoints().addListener(ref -> signals.propagateEvent(new ResourceID(ref.name(), ref.namespace())));
    NodeHealthReactions.register(deps, context.getClient(), nodeMarker, events, node -> jobsOn(pods, node).forEach(signals::propagateEvent));
    return List.of(pods, services, configMaps, topologies, nodes, priorityClasses, signals);
  }

  private static List<String> ownerUids(Pod pod) {
    var owners = pod.getMetadata().getOwnerReferences();
    if (owners == null) {
      return List.of();
    }
    return owners.stream().filter(o -> "TrainingJob".equals(o.getKind())).map(o -> o.getUid()).toList();
  }

  /** The job's pods from the informer cache. */
  private List<Pod> podsOf(TrainingJob job) {
    return podSource.byIndex(BY_OWNER, job.getMetadata().getUid());
  }

  /** Jobs with a rank bound to the node. */
  private static Set<ResourceID> jobsOn(InformerEventSource<Pod, TrainingJob> pods, String node) {
    return pods.list()
        .filter(p -> node.equals(p.getSpec().getNodeName()) && p.getMetadata().getLabels() != null
            && p.getMetadata().getLabels().containsKey(JobNames.LABEL_JOB))
        .map(p -> new ResourceID(p.getMetadata().getLabels().get(JobNames.LABEL_JOB), p.getMetadata().getNamespace()))
        .collect(java.util.stream.Collectors.toSet());
  }

  private static <R extends HasMetadata> InformerEventSource<R, TrainingJob> readOnly(Class<R> type, String name,
                                                                                        EventSourceContext<TrainingJob> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, TrainingJob.class)
        .withName(name).withWatchAllNamespaces().withSecondaryToPrimaryMapper(r -> Set.of()).build(), context);
  }

  @Override
  public UpdateControl<TrainingJob> reconcile(TrainingJob job, Context<TrainingJob> context) {
    Instant now = clock.instant();
    String jobKey = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    TrainingJobStatus original = job.getStatus();
    List<Pod> pods = podsOf(job);
    acceptCheckpoints(job, pods, now);
    GangObservation gang = GangObservation.of(pods, attemptToRun(job, now), job.getSpec().getReplicas());
    List<ClusterTopology> topologies = cached(context, ClusterTopology.class, TOPOLOGIES);
    List<String> problems = validate(job, topologies);

    // Lifecycle first (which pods to create, stop or delete), then failures, then placement, then status.
    TrainingJobStatus lifecycle = JobStatusMachine.next(job, problems, gang, now).status();
    RecoveryOutcome recovered = RecoveryOutcome.NONE;
    Instant recheckAt = null;
    // Every pod and node of the cluster is read only for jobs that can still fail or need placing.
    ClusterView cluster = isActive(lifecycle.getPhase()) ? clusterView(context, topologies) : null;
    if (cluster != null) {
      var assessment = recovery.assess(job, gang, node -> nodeStatus(cluster, node, now), pod -> logTail(context, pod), now);
      recovered = assessment.outcome();
      recheckAt = assessment.recheckAt();
      if (assessment.note() != null) {
        events.record(context.getClient(), job, assessment.note());
      }
      if (assessment.flaggedNode() != null) {
        events.record(context.getClient(), job, JobEvent.warning("BadNode", "Node " + assessment.flaggedNode()
            + " has failed repeatedly across jobs; Gangway keeps new gangs off it"));
        nodeMarker.mark(context.getClient(), assessment.flaggedNode(), "RepeatedFailures");
      }
    }
    PlacementOutcome placed = PlacementOutcome.NONE;
    if (recovered.kind() == RecoveryOutcome.Kind.NONE && isActive(lifecycle.getPhase()) && !restartPending(lifecycle)) {
      GangActions actions = GangActions.decide(lifecycle, gang, pods);
      apply(job, actions, pods, gang.attempt(), context);
      long started = System.nanoTime();
      placed = place(job, jobKey, gang, cluster, context, now);
      if (placed.kind() != PlacementOutcome.Kind.NONE) {
        metrics.decision(Duration.ofNanos(System.nanoTime() - started), placed);
      }
    }
    StatusTransition transition = JobStatusMachine.next(job, problems, gang, placed, recovered, now);
    TrainingJobStatus status = transition.status();
    if (JobConditions.isTrue(status.getConditions(), ReconcileErrors.CONDITION)) {
      status.setConditions(JobConditions.with(status.getConditions(), ReconcileErrors.CONDITION, false, "Resolved",
          "The last reconcile succeeded", now, job.getMetadata().getGeneration()));
    }
    if (!isActive(status.getPhase()) || restartPending(status)) {
      placement.forget(jobKey);
      apply(job, GangActions.decide(status, gang, pods), pods, gang.attempt(), context);
    }
    if (recovered.kind() == RecoveryOutcome.Kind.RESTART) {
      metrics.restarted(recovered.restart().record(), recovered.restart().infrastructure());
    }
    if (status.getTimings() != null && !status.getTimings().equals(original == null ? null : original.getTimings())) {
      metrics.recovered(status);
    }
    transition.events().forEach(e -> {
      events.record(context.getClient(), job, e);
      LifecycleEvents.publish(deps.publisher(), job, status, e, now);
    });

    UpdateControl<TrainingJob> control = UpdateControl.noUpdate();
    if (!status.equals(original)) {
      job.setStatus(status);
      control = UpdateControl.patchStatus(job);
    }
    Duration wake = nextWake(status, placed, recheckAt, now);
    if (wake != null) {
      return control.rescheduleAfter(wake);
    }
    return withTtl(job, status, now, control, context);
  }

  /** A reconcile that threw: say why on the job itself, so `kubectl describe tj` shows it; JOSDK retries with backoff. */
  @Override
  public ErrorStatusUpdateControl<TrainingJob> updateErrorStatus(TrainingJob job, Context<TrainingJob> context, Exception e) {
    LOG.warn("Reconciling TrainingJob {}/{} failed: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(), e.toString());
    TrainingJobStatus status = job.getStatus() == null ? new TrainingJobStatus() : SERIALIZATION.clone(job.getStatus());
    status.setConditions(JobConditions.with(status.getConditions(), ReconcileErrors.CONDITION, true, ReconcileErrors.reason(e),
        ReconcileErrors.message(e), clock.instant(), job.getMetadata().getGeneration()));
    if (status.equals(job.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    job.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(job);
  }

  /**
   * The attempt whose pods should exist: the current one, or the next once a pending restart's backoff
   * has passed. The next attempt's pods are created (gated) while the failed attempt's still
   * terminate; the gang is placed once those are gone, since they hold their GPUs until then.
   */
  private static int attemptToRun(TrainingJob job, Instant now) {
    int attempt = JobStatusMachine.attemptOf(job);
    TrainingJobStatus status = job.getStatus();
    if (status == null || !restartPending(status) || job.getSpec().suspended()) {
      return attempt;
    }
    return Instant.parse(status.getNextRestartTime()).isAfter(now) ? attempt : attempt + 1;
  }

  private static boolean restartPending(TrainingJobStatus status) {
    return status.getPhase() == JobPhase.Restarting && status.getNextRestartTime() != null;
  }

  /** Accepts the newest checkpoint reported for this job: from the channel, or rank 0's termination message. */
  private void acceptCheckpoints(TrainingJob job, List<Pod> pods, Instant now) {
    TrainingJobStatus status = job.getStatus();
    if (status == null) {
      return;
    }
    List<CheckpointReport> reports = new ArrayList<>();
    deps.checkpoints().latest(job.getMetadata().getUid()).ifPresent(reports::add);
    pods.stream()
        .filter(p -> "0".equals(p.getMetadata().getLabels().get(JobNames.LABEL_RANK)))
        .forEach(p -> TerminationMessages.of(p).flatMap(m -> TerminationMessage.report(m, job,
            Integer.parseInt(p.getMetadata().getLabels().get(JobNames.LABEL_ATTEMPT)), now)).ifPresent(reports::add));
    for (CheckpointReport report : reports) {
      var verdict = CheckpointLedger.judge(report, job.getMetadata().getUid(), JobStatusMachine.attemptOf(job), status.getLastCheckpoint());
      if (verdict instanceof CheckpointLedger.Accepted accepted) {
        TrainingJobStatus copy = SERIALIZATION.clone(status);
        copy.setLastCheckpoint(accepted.lastCheckpoint());
        job.setStatus(copy);
        status = copy;
      }
    }
  }

  private static Duration nextWake(TrainingJobStatus status, PlacementOutcome placed, Instant recheckAt, Instant now) {
    if (restartPending(status)) {
      Duration untilRestart = Duration.between(now, Instant.parse(status.getNextRestartTime()));
      return untilRestart.isNegative() ? Duration.ofMillis(500) : untilRestart.plusMillis(50);
    }
    if (placed.kind() == PlacementOutcome.Kind.WAITING) {
      return RETRY_PLACEMENT;
    }
    if (recheckAt != null) {
      return Duration.between(now, recheckAt).plusMillis(50);
    }
    return null;
  }

  private dev.gangway.recovery.NodeStatus nodeStatus(ClusterView cluster, String node, Instant now) {
    Node found = cluster.nodes().stream().filter(n -> node.equals(n.getMetadata().getName())).findFirst().orElse(null);
    return dev.gangway.recovery.NodeStatus.observe(node, found, deps.health().fatalSignal(node, now));
  }

  /** Last log lines of a failed rank, for the Failed condition; empty when logs cannot be read (e.g. simulated nodes). */
  private static String logTail(Context<TrainingJob> context, Pod pod) {
    try {
      return context.getClient().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .tailingLines(10).getLog();
    } catch (KubernetesClientException e) {
      return null;
    }
  }

  private PlacementOutcome place(TrainingJob job, String jobKey, GangObservation gang, ClusterView cluster,
                                 Context<TrainingJob> context, Instant now) {
    // Drop queue entries of jobs that no longer exist, so a deleted job never blocks the queue.
    placement.prune(key -> context.getPrimaryCache().get(resourceId(key)).isPresent());
    Set<String> avoid = new HashSet<>(deps.health().fatalNodes(now));
    avoid.addAll(deps.badNodes().flagged());
    if (job.getStatus() != null && job.getStatus().getExcludedNodes() != null) {
      avoid.addAll(job.getStatus().getExcludedNodes());
    }
    GangPlacementStep.Inputs inputs = new GangPlacementStep.Inputs(cluster.topologyFor(job), cluster.nodes(), cluster.allPods(),
        cluster.priorityOf(job), avoid);
    String placedTime = job.getStatus() == null || job.getStatus().getPlacement() == null ? null : job.getStatus().getPlacement().getPlacedTime();
    Instant created = job.getMetadata().getCreationTimestamp() == null ? now : Instant.parse(job.getMetadata().getCreationTimestamp());
    GangPlacementStep.Plan plan = placement.plan(jobKey, new GangPlacementStep.TrainingJobSpecView(job.getSpec(), created), gang,
        gang.attemptPods(), inputs, placedTime, now);
    GangPodWriter.apply(context.getClient(), plan);
    return plan.outcome();
  }

  private static ResourceID resourceId(String jobKey) {
    int slash = jobKey.indexOf('/');
    return new ResourceID(jobKey.substring(slash + 1), jobKey.substring(0, slash));
  }

  private static boolean isActive(JobPhase phase) {
    return phase == JobPhase.Pending || phase == JobPhase.Running || phase == JobPhase.Restarting;
  }

  @SuppressWarnings("unchecked")
  private static <R> List<R> cached(Context<TrainingJob> context, Class<R> type, String name) {
    var source = (InformerEventSource<? extends HasMetadata, TrainingJob>) context.eventSourceRetriever().getEventSourceFor(type, name);
    return (List<R>) source.list().toList();
  }

  private static ClusterView clusterView(Context<TrainingJob> context, List<ClusterTopology> topologies) {
    List<Pod> allPods = new ArrayList<>();
    context.eventSourceRetriever().getEventSourcesFor(Pod.class)
        .forEach(s -> ((InformerEventSource<Pod, TrainingJob>) s).list().forEach(allPods::add));
    return new ClusterView(topologies, cached(context, Node.class, NODES), allPods, cached(context, PriorityClass.class, PRIORITY_CLASSES));
  }

  /** Only a job that has not started yet is validated against the cluster: a later topology change must not kill a running job. */
  private static List<String> validate(TrainingJob job, List<ClusterTopology> topologies) {
    TrainingJobStatus status = job.getStatus();
    boolean started = status != null && status.getStartTime() != null;
    if (started || job.getSpec().suspended()) {
      return List.of();
    }
    return SpecValidator.validate(job.getSpec(), topologies);
  }

  /** @param pods the job's pods as this reconcile read them */
  private void apply(TrainingJob job, GangActions actions, List<Pod> pods, int attempt, Context<TrainingJob> context) {
    KubernetesClient client = context.getClient();
    if (actions.ensureSharedObjects()) {
      if (context.getSecondaryResource(Service.class).isEmpty()) {
        createIfAbsent(client, GangServiceBuilder.headlessService(job));
      }
      if (RendezvousEnvironment.needsHostfile(job) && context.getSecondaryResource(ConfigMap.class).isEmpty()) {
        createIfAbsent(client, GangServiceBuilder.mpiHostfile(job));
      }
    }
    String resumeFrom = job.getStatus() == null || job.getStatus().getLastCheckpoint() == null
        ? null : job.getStatus().getLastCheckpoint().getPath();
    ParallelWrites.forEach(actions.ranksToCreate(), rank -> createIfAbsent(client, RankPodBuilder.build(job, rank, attempt, resumeFrom)));
    PodDeletions deletions = PodDeletions.of(actions.podsToDelete(), pods);
    String jobKey = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    deletions.attempts().forEach((attemptNumber, ofAttempt) -> teardowns.start(jobKey + "/" + attemptNumber,
        () -> ParallelWrites.forEach(ofAttempt, pod -> delete(client, pod))));
    ParallelWrites.forEach(deletions.pods(), pod -> delete(client, pod));
  }

  private static void delete(KubernetesClient client, Pod pod) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
  }

  /** Creation is idempotent: after an operator restart or a stale cache the object may exist already. */
  private static void createIfAbsent(KubernetesClient client, HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.debug("{} {} exists already", object.getKind(), object.getMetadata().getName());
      } else if (e.getCode() == 403 && String.valueOf(e.getMessage()).contains("being terminated")) {
        // The namespace is being deleted, and the job with it: nothing to start.
        LOG.debug("not creating {} {}: its namespace is terminating", object.getKind(), object.getMetadata().getName());
      } else {
        throw e;
      }
    }
  }

  private static UpdateControl<TrainingJob> withTtl(TrainingJob job, TrainingJobStatus status, Instant now,
                                                     UpdateControl<TrainingJob> control, Context<TrainingJob> context) {
    Long ttl = job.getSpec().getTtlSecondsAfterFinished();
    if (ttl == null || status.getPhase() == null || !status.getPhase().isFinished() || status.getCompletionTime() == null) {
      return control;
    }
    Instant expiry = Instant.parse(status.getCompletionTime()).plusSeconds(ttl);
    if (!now.isBefore(expiry)) {
      LOG.info("Deleting TrainingJob {}/{}: finished {} s ago (ttlSecondsAfterFinished)", job.getMetadata().getNamespace(),
          job.getMetadata().getName(), ttl);
      context.getClient().resource(job).delete();
      return UpdateControl.noUpdate();
    }
    return control.rescheduleAfter(Duration.between(now, expiry).plusMillis(100));
  }
}
