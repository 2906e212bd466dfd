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
import java.util.Set;
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
  /** How often a gang waiting for capacity tries again. */
  static final Duration RETRY_PLACEMENT = Duration.ofSeconds(5);

  private final Clock clock;
  private final JobEventRecorder events;
  private final GangPlacementStep placement;

  public TrainingJobReconciler() {
    this(Clock.systemUTC(), new JobEventRecorder(), Duration.ofSeconds(60), Duration.ofMinutes(10));
  }

  /**
   * @param bindTimeout how long placed ranks may take to bind before the gang is placed again
   * @param backfillBound how long the head of the queue may be passed by smaller gangs
   */
  public TrainingJobReconciler(Clock clock, JobEventRecorder events, Duration bindTimeout, Duration backfillBound) {
    this.clock = clock;
    this.events = events;
    this.placement = new GangPlacementStep(new GangPlacer(new PlacementEngine()), new PlacementQueue(backfillBound), bindTimeout);
  }

  @Override
  public List<EventSource<?, TrainingJob>> prepareEventSources(EventSourceContext<TrainingJob> context) {
    // Every pod of the cluster: the job's own (mapped to it by owner reference) and everyone else's,
    // whose requests placement must count wherever they run.
    var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, TrainingJob.class)
        .withWatchAllNamespaces().build(), context);
    var services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    var configMaps = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    // Read from their caches; a change does not re-trigger jobs (waiting gangs retry on a timer).
    var topologies = readOnly(ClusterTopology.class, TOPOLOGIES, context);
    var nodes = readOnly(Node.class, NODES, context);
    var priorityClasses = readOnly(PriorityClass.class, PRIORITY_CLASSES, context);
    return List.of(pods, services, configMaps, topologies, nodes, priorityClasses);
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
    List<Pod> pods = new ArrayList<>(context.getSecondaryResources(Pod.class));
    GangObservation gang = GangObservation.of(pods, JobStatusMachine.attemptOf(job), job.getSpec().getReplicas());
    ClusterView cluster = clusterView(context);
    List<String> problems = validate(job, cluster);

    // First the lifecycle (create, stop, delete pods), then placement of a complete gang, then status.
    TrainingJobStatus lifecycle = JobStatusMachine.next(job, problems, gang, now).status();
    GangActions actions = GangActions.decide(lifecycle, gang, pods);
    apply(job, actions, gang.attempt(), context);
    PlacementOutcome outcome = PlacementOutcome.NONE;
    if (isActive(lifecycle.getPhase())) {
      outcome = place(job, jobKey, gang, cluster, context, now);
    } else {
      placement.forget(jobKey);
    }
    StatusTransition transition = JobStatusMachine.next(job, problems, gang, outcome, now);
    TrainingJobStatus status = transition.status();
    transition.events().forEach(e -> events.record(context.getClient(), job, e));

    UpdateControl<TrainingJob> control = UpdateControl.noUpdate();
    if (!status.equals(job.getStatus())) {
      job.setStatus(status);
      control = UpdateControl.patchStatus(job);
    }
    if (outcome.kind() == PlacementOutcome.Kind.WAITING) {
      return control.rescheduleAfter(RETRY_PLACEMENT);
    }
    return withTtl(job, status, now, control, context);
  }

  private PlacementOutcome place(TrainingJob job, String jobKey, GangObservation gang, ClusterView cluster,
                                 Context<TrainingJob> context, Instant now) {
    // Drop queue entries of jobs that no longer exist, so a deleted job never blocks the queue.
    placement.prune(key -> context.getPrimaryCache().get(resourceId(key)).isPresent());
    GangPlacementStep.Inputs inputs = new GangPlacementStep.Inputs(cluster.topologyFor(job), cluster.nodes(), cluster.allPods(),
        cluster.priorityOf(job), Set.of());
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

  private static ClusterView clusterView(Context<TrainingJob> context) {
    List<Pod> allPods = new ArrayList<>();
    context.eventSourceRetriever().getEventSourcesFor(Pod.class)
        .forEach(s -> ((InformerEventSource<Pod, TrainingJob>) s).list().forEach(allPods::add));
    return new ClusterView(cached(context, ClusterTopology.class, TOPOLOGIES), cached(context, Node.class, NODES), allPods,
        cached(context, PriorityClass.class, PRIORITY_CLASSES));
  }

  /** Only a job that has not started yet is validated against the cluster: a later topology change must not kill a running job. */
  private static List<String> validate(TrainingJob job, ClusterView cluster) {
    TrainingJobStatus status = job.getStatus();
    boolean started = status != null && status.getStartTime() != null;
    if (started || job.getSpec().suspended()) {
      return List.of();
    }
    return SpecValidator.validate(job.getSpec(), cluster.topologies());
  }

  private static void apply(TrainingJob job, GangActions actions, int attempt, Context<TrainingJob> context) {
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
    for (int rank : actions.ranksToCreate()) {
      createIfAbsent(client, RankPodBuilder.build(job, rank, attempt, resumeFrom));
    }
    for (Pod pod : actions.podsToDelete()) {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    }
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
