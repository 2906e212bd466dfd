package dev.gangway.job;

import dev.gangway.pod.Timestamps;
import dev.gangway.act.GangPodWriter;
import dev.gangway.act.OwnWrites;
import dev.gangway.act.JobActuator;
import dev.gangway.act.JobEventRecorder;
import dev.gangway.act.JobCloudEvents;
import dev.gangway.act.NodeMarker;
import dev.gangway.cache.UnreadableJobFields;
import dev.gangway.decide.GangPlacementStep;
import dev.gangway.decide.GangRecoveryStep;
import dev.gangway.decide.JobConditions;
import dev.gangway.decide.JobDecider;
import dev.gangway.decide.JobDecision;
import dev.gangway.decide.JobEvent;
import dev.gangway.decide.JobStatusMachine;
import dev.gangway.decide.PlacementDecision;
import dev.gangway.decide.ReconcileErrors;
import dev.gangway.decide.RecoveryDecision;
import dev.gangway.decide.StatusTransition;
import dev.gangway.observe.ClusterView;
import dev.gangway.observe.GangObservation;
import dev.gangway.observe.JobObservation;
import dev.gangway.observe.SpecValidator;
import dev.gangway.pod.JobNames;
import dev.gangway.pod.NodeChanges;
import dev.gangway.pod.TerminationMessages;
import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.cache.FeedingItemStore;
import dev.gangway.placement.ClusterCache;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.placement.PlacementEngine;
import dev.gangway.placement.PlacementQueue;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.LimitRange;
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
import java.util.Set;
import jakarta.inject.Inject;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.checkpoint.TerminationMessage;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.timer.TimerEventSource;
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
  private static final String QUOTAS = "resourcequotas";
  private static final String LIMIT_RANGES = "limitranges";
  private static final String SIGNALS = "signals";
  private static final String POD_BATCHES = "pod-batches";
  private static final String HOUSEKEEPING = "housekeeping";
  private static final String JOB_KIND = "TrainingJob";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  /** How soon to decide again after the job changed under a decision. */
  private static final Duration CONFLICT_RETRY = Duration.ofMillis(100);
  private static final Duration NOT_LEADER_RETRY = Duration.ofSeconds(1);
  /** How often goodput gauges of deleted jobs are removed. */
  private static final Duration GAUGE_SWEEP = Duration.ofSeconds(30);
  /** How soon the placement decisions of a deleted job are dropped. */
  private static final Duration DELETED_JOB_SWEEP = Duration.ofSeconds(1);
  /** How often the leader looks for rank pods of deleted jobs that the garbage collector left. */
  private static final Duration ORPHAN_SWEEP = Duration.ofSeconds(5);
  /** How often the fleet gauges (jobs by phase, waiting time, exclusions) are recomputed from the job cache. */
  private static final Duration FLEET_GAUGES_REFRESH = Duration.ofSeconds(10);

  private final Clock clock;
  private final JobDependencies deps;
  private final JobEventRecorder events;
  private final JobDecider decider;
  private final GangPlacementStep placement;
  /** Pod writes made here that the pod cache does not show yet: a reconcile that starts before it does repeats none. */
  private final OwnWrites ownWrites;
  private final JobActuator actuator;
  private final JobMetrics metrics;
  private final FleetGauges fleetGauges;
  private final NodeMarker nodeMarker;
  private static final String BY_NODE = "gangway-rank-node";
  private volatile InformerEventSource<Pod, TrainingJob> podSource;
  /** Each job's pods, fed by the pod informer's store: never missing a pod while it is updated, as its index may. */
  private final dev.gangway.cache.PodsByOwner podsByOwner = new dev.gangway.cache.PodsByOwner(JOB_KIND);
  /** Wakes waiting gangs when the cluster cache below sees capacity freed. */
  private final FreedCapacityWakeups wakeups = new FreedCapacityWakeups();
  /** Nodes and pods as placement counts them, fed by the pod and node informers' stores below. */
  private final ClusterCache cluster = new ClusterCache(wakeups::freed);
  private final SimpleInboundEventSource<TrainingJob> signals = new SimpleInboundEventSource<>(SIGNALS);
  /** When each job's status was last written here: progress-only changes wait for their interval. */
  private final StatusWrites statusWrites = new StatusWrites();
  /** When each job was last reconciled here: a big gang's pod events are taken in batches. */
  private final ReconcileBatching batching;
  /** Wakes a big gang at the end of a batch window whose pod events were held back (JOSDK's timer: stopped with the operator). */
  private final TimerEventSource<TrainingJob> batchEnds = new TimerEventSource<>(POD_BATCHES, false);

  public TrainingJobReconciler() {
    this(JobDependencies.standalone());
  }

  @Inject
  public TrainingJobReconciler(JobDependencies deps) {
    this(deps, new ReconcileBatching());
  }

  TrainingJobReconciler(JobDependencies deps, ReconcileBatching batching) {
    this.deps = deps;
    this.batching = batching;
    this.clock = deps.clock();
    this.ownWrites = new OwnWrites(clock, OwnWrites.DEFAULT_PATIENCE, this::cachedPod);
    this.actuator = new JobActuator(ownWrites);
    this.events = new JobEventRecorder();
    this.metrics = new JobMetrics(deps.meters());
    PlacementEngine engine = new PlacementEngine();
    this.placement = new GangPlacementStep(new GangPlacer(engine, cluster, metrics::solved),
        new PlacementQueue(engine, deps.placementDefaults().headHoldsAfter()), deps.bindTimeout(), deps.placementDefaults());
    metrics.watch(placement::waiting, cluster::podCount);
    this.decider = new JobDecider(deps.health(), deps.badNodes(),
        new GangRecoveryStep(deps.classifier(), deps.recoveryDefaults(), deps.badNodes()), placement);
    this.nodeMarker = new NodeMarker(deps.nodeMarking());
    this.fleetGauges = new FleetGauges(deps.meters(), deps.leadership(), deps.badNodes(), deps.health());
  }

  @Override
  public List<EventSource<?, TrainingJob>> prepareEventSources(EventSourceContext<TrainingJob> context) {
    // Every pod of the cluster: the job's own (mapped to it by owner reference) and everyone else's,
    // whose requests placement must count wherever they run.
    var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, TrainingJob.class)
        .withWatchAllNamespaces().withItemStore(new FeedingItemStore<>(new WithoutManagedFields<>(), pod -> {
          podsByOwner.put(pod);
          cluster.put(pod);
          ownWrites.seen(pod);
        }, pod -> {
          podsByOwner.remove(pod);
          cluster.removePod(SnapshotFactory.podKey(pod));
          ownWrites.gone(pod);
        }))
        .withGenericFilter(this::startsReconcile)
        .build(), context);
    pods.addIndexers(java.util.Map.of(BY_NODE, TrainingJobReconciler::jobPodNode));
    this.podSource = pods;
    // A job's Service or hostfile appearing changes nothing it decides: it was created by the job's own reconcile, or
    // listed as the operator starts, when every job is reconciled anyway. That was one reconcile more per job on the
    // start path. A change or a delete still wakes the job, which converges it.
    var services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).withOnAddFilter(created -> false).build(), context);
    var configMaps = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).withOnAddFilter(created -> false).build(), context);
    // A ClusterTopology created or changed wakes the jobs that are validated against it (not started yet, with
    // topology constraints): one that failed naming a topology or level that did not exist then starts at once, as its
    // message says ("create it"), not at the next periodic revisit. Applied in one go with its topology, a job may be
    // reconciled first.
    var topologies = new InformerEventSource<>(InformerEventSourceConfiguration.from(ClusterTopology.class, TrainingJob.class)
        .withName(TOPOLOGIES).withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper(topology -> context.getPrimaryCache().list(TrainingJobReconciler::readsTopologies)
            .map(ResourceID::fromResource).collect(java.util.stream.Collectors.toSet()))
        .build(), context);
    // Bad-node flags are kept on the nodes; every replica restores them from there and sees them lifted.
    NodeFlagSync flags = new NodeFlagSync(deps, context.getClient(), nodeMarker, events);
    // A node that goes NotReady, is deleted or gets a taint wakes the jobs with ranks on it.
    var nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, TrainingJob.class)
        .withName(NODES).withWatchAllNamespaces().withItemStore(new FeedingItemStore<>(new WithoutManagedFields<>(), node -> {
          cluster.put(node);
          flags.seen(node);
        }, node -> {
          cluster.removeNode(node.getMetadata().getName());
          flags.removed(node);
        }))
        .withSecondaryToPrimaryMapper(node -> jobsOn(pods, node.getMetadata().getName()))
        .withOnAddFilter(node -> false)
        .withOnUpdateFilter(NodeChanges::matterToGangs)
        .build(), context);
    // Read from its cache; a change does not re-trigger jobs (a job waiting for its class retries on a timer).
    var priorityClasses = readOnly(PriorityClass.class, PRIORITY_CLASSES, context);
    // A quota's change (its used shrinking as pods go, its hard raised), or a LimitRange's (the defaults the quota counts),
    // wakes the jobs of its namespace that wait for room in its quotas.
    var quotas = namespaceLimit(ResourceQuota.class, QUOTAS, context);
    var limitRanges = namespaceLimit(LimitRange.class, LIMIT_RANGES, context);
    // Checkpoint reports and node-health signals arrive on messaging channels; they wake the jobs they concern.
    deps.checkpoints().addListener(ref -> signals.propagateEvent(new ResourceID(ref.name(), ref.namespace())));
    NodeHealthReactions.register(deps, context.getClient(), nodeMarker, events, node -> jobsOn(pods, node).forEach(signals::propagateEvent));
    // A gang waiting for capacity is decided again as soon as some is freed; its retry timer stays as the fallback.
    wakeups.start(new FreedCapacityWakeups.Round(() -> waitingGangs(context.getPrimaryCache(), topologies, nodes, priorityClasses),
        cluster::freeGpus, deps.leadership()::isLeader, signals::propagateEvent, metrics::woken));
    Housekeeping housekeeping = housekeeping(context);
    return List.of(pods, services, configMaps, topologies, nodes, priorityClasses, quotas, limitRanges, signals,
        asJobEventSource(batchEnds), housekeeping);
  }

  /** JOSDK declares its timer for any primary type (HasMetadata); it only ever carries the ids this controller gives it. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static EventSource<?, TrainingJob> asJobEventSource(TimerEventSource<TrainingJob> timer) {
    return (EventSource) timer;
  }

  /**
   * The controller's chores, stopped with it (and with them the queue wakeups' thread): every {@link #GAUGE_SWEEP},
   * drops the goodput gauges of deleted jobs (JOSDK calls no reconcile for a deleted job), and all of them on a
   * follower: only the leader publishes job metrics; every {@link #DELETED_JOB_SWEEP}, the placement decisions of
   * deleted jobs; every {@link #ORPHAN_SWEEP}, the leader deletes rank pods of deleted jobs that the garbage collector
   * left ({@link OrphanedRankSweep}, on a thread of its own: it calls the API server); every
   * {@link #FLEET_GAUGES_REFRESH}, recomputes the fleet gauges from the same cache.
   */
  private Housekeeping housekeeping(EventSourceContext<TrainingJob> context) {
    var jobs = context.getPrimaryCache();
    Housekeeping housekeeping = new Housekeeping(HOUSEKEEPING);
    housekeeping.every(GAUGE_SWEEP, GAUGE_SWEEP, whileJobsCached(jobs, "Dropping the goodput gauges of deleted jobs", () -> {
      metrics.retainGoodput(job -> deps.leadership().isLeader() && jobs.get(job).isPresent());
      statusWrites.forgetOlderThan(GAUGE_SWEEP, clock.instant());
      batching.forgetOlderThan(GAUGE_SWEEP, clock.instant());
    }));
    // JOSDK calls no reconcile for a deleted job either: a decision it held before its pods were bound is dropped here,
    // or a job deleted mid-start (its namespace deleted, its creates refused) would hold its nodes until the deadline.
    // Nodes it held for pods never created wake the waiting gangs (GangPlacer#release).
    housekeeping.every(DELETED_JOB_SWEEP, DELETED_JOB_SWEEP, whileJobsCached(jobs, "Dropping the decisions of deleted jobs", () -> {
      Set<String> dropped = placement.forgetDeleted(key -> {
        int slash = key.indexOf('/');
        return jobs.get(new ResourceID(key.substring(slash + 1), key.substring(0, slash))).isPresent();
      });
      if (!dropped.isEmpty()) {
        LOG.debug("Dropped the placement decisions of deleted jobs {}", dropped);
      }
    }));
    var config = context.getControllerConfiguration();
    housekeeping.everyOnItsOwnThread("gangway-orphan-sweep", ORPHAN_SWEEP, ORPHAN_SWEEP, whileJobsCached(jobs,
        "Deleting the rank pods of deleted jobs", new OrphanedRankSweep(
        podsByOwner, jobs, namespace -> watches(config.getEffectiveNamespaces(), namespace), context.getClient(),
        deps.leadership()::isLeader, clock, metrics::orphansDeleted)));
    housekeeping.every(FLEET_GAUGES_REFRESH, Duration.ZERO, whileJobsCached(jobs, "Refreshing the fleet gauges",
        () -> fleetGauges.refresh(jobs.list().toList(), clock.instant())));
    return housekeeping.alsoStops(wakeups::stop);
  }

  private static boolean watches(Set<String> namespaces, String namespace) {
    return io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration.allNamespacesWatched(namespaces)
        || namespaces.contains(namespace);
  }

  /**
   * A sweep over the jobs cache that skips its round while the jobs informer is not running (at start, before JOSDK
   * created the cache, and after the operator stopped: reading it then throws) and survives a failed round: a
   * scheduled task that throws is never run again.
   */
  private static Runnable whileJobsCached(io.javaoperatorsdk.operator.processing.event.source.Cache<TrainingJob> jobs, String what,
                                          Runnable sweep) {
    return () -> {
      if (jobs instanceof io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource<?, ?> source && !source.isRunning()) {
        return;
      }
      try {
        sweep.run();
      } catch (RuntimeException e) {
        LOG.warn("{} failed", what, e);
      }
    };
  }

  /** The placement queue as stored, read from the caches as a reconcile reads it. */
  private List<dev.gangway.placement.QueuedGang> waitingGangs(io.javaoperatorsdk.operator.processing.event.source.Cache<TrainingJob> jobs,
      InformerEventSource<ClusterTopology, TrainingJob> topologies, InformerEventSource<Node, TrainingJob> nodes,
      InformerEventSource<PriorityClass, TrainingJob> priorityClasses) {
    Instant now = clock.instant();
    Set<String> avoided = decider.avoidedByAll(now);
    ClusterView view = new ClusterView(topologies.list().toList(), nodes.list().toList(), priorityClasses.list().toList());
    return dev.gangway.decide.WaitingGangs.of(jobs.list(), view, avoided, now, placement.defaults());
  }

  /** The pod under "namespace/name" in the informer cache now, or null (also before the informer exists). */
  private Pod cachedPod(String podKey) {
    var source = podSource;
    int slash = podKey.indexOf('/');
    return source == null ? null : source.get(new ResourceID(podKey.substring(slash + 1), podKey.substring(0, slash))).orElse(null);
  }

  /**
   * Whether a pod's change should start its job's reconcile now: not inside a big gang's batch window, whose end is
   * woken instead (see {@link ReconcileBatching}). Pods of no TrainingJob start none anyway.
   */
  private boolean startsReconcile(Pod pod) {
    var owner = pod.getMetadata().getOwnerReferences().stream().filter(o -> JOB_KIND.equals(o.getKind())).findFirst();
    if (owner.isEmpty()) {
      return true;
    }
    if (!batchEnds.isRunning()) {
      return true;
    }
    ResourceID job = new ResourceID(owner.get().getName(), pod.getMetadata().getNamespace());
    try {
      return batching.takes(owner.get().getUid(), clock.instant(), wait -> batchEnds.scheduleOnce(job, wait.plusNanos(999_999).toMillis()));
    } catch (IllegalStateException stopped) {
      // The timer stopped between the check and the wake (the operator is stopping): let the event through.
      return true;
    }
  }

  /** The job's pods from the informer cache (read as a list, not as the SDK's secondary-resource set, which hashes every pod whole). */
  private List<Pod> podsOf(TrainingJob job) {
    return podsByOwner.of(job.getMetadata().getUid());
  }

  /** A job's rank pod by the node it is bound to; other pods are not indexed. */
  private static List<String> jobPodNode(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    boolean rank = pod.getMetadata().getLabels() != null && pod.getMetadata().getLabels().containsKey(JobNames.LABEL_JOB);
    return node == null || node.isEmpty() || !rank ? List.of() : List.of(node);
  }

  /** Jobs with a rank bound to the node (read from an index: every node update of a big cluster asks). */
  private static Set<ResourceID> jobsOn(InformerEventSource<Pod, TrainingJob> pods, String node) {
    return pods.byIndex(BY_NODE, node).stream()
        .map(p -> new ResourceID(p.getMetadata().getLabels().get(JobNames.LABEL_JOB), p.getMetadata().getNamespace()))
        .collect(java.util.stream.Collectors.toSet());
  }

  /** An informer of a namespaced object that admits rank pods: a change wakes the jobs of its namespace waiting for quota. */
  private static <R extends HasMetadata> InformerEventSource<R, TrainingJob> namespaceLimit(Class<R> type, String name,
                                                                                              EventSourceContext<TrainingJob> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, TrainingJob.class)
        .withName(name).withItemStore(new WithoutManagedFields<>())
        .withSecondaryToPrimaryMapper(object -> context.getPrimaryCache()
            .list(object.getMetadata().getNamespace(), TrainingJobReconciler::waitsForQuota)
            .map(ResourceID::fromResource).collect(java.util.stream.Collectors.toSet()))
        .build(), context);
  }

  private static <R extends HasMetadata> InformerEventSource<R, TrainingJob> readOnly(Class<R> type, String name,
                                                                                        EventSourceContext<TrainingJob> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, TrainingJob.class)
        .withName(name).withWatchAllNamespaces().withSecondaryToPrimaryMapper(r -> Set.of()).build(), context);
  }

  /**
   * Observe → decide → persist → act. The decision (the next status) is written before any of its
   * side effects, with optimistic locking on the job: a crash between any two steps leaves a status
   * that the next reconcile, seeing the same or a later world, carries on from; a conflicting write
   * means someone else changed the job, so nothing is done and the job is looked at again.
   */
  @Override
  public UpdateControl<TrainingJob> reconcile(TrainingJob job, Context<TrainingJob> context) {
    if (!deps.leadership().isLeader()) {
      // JOSDK reconciles on the Lease holder only; this guards the moment our own flag and the SDK disagree
      // (a takeover in progress): no write, look again shortly instead of losing the event.
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(NOT_LEADER_RETRY);
    }
    List<String> unreadable = UnreadableJobFields.of(job);
    if (!unreadable.isEmpty()) {
      return failUnreadable(job, unreadable, context);
    }
    String uid = job.getMetadata().getUid();
    Duration batched = batching.wait(uid, clock.instant());
    if (batched != null) {
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(batched);
    }
    try {
      return reconcileNow(job, context);
    } finally {
      batching.ran(uid, job.getSpec().getReplicas(), clock.instant());
    }
  }

  /**
   * A job stored with a field Gangway cannot read (its reader left the field out): it fails naming the field, and nothing
   * else is observed or decided for it. Such a job never ran: no Gangway could read it to place it.
   */
  private UpdateControl<TrainingJob> failUnreadable(TrainingJob job, List<String> fields, Context<TrainingJob> context) {
    JobStatusMachine.unreadable(job, fields, clock.instant()).ifPresent(t -> {
      LOG.warn("TrainingJob {}/{} has fields Gangway cannot read: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(),
          String.join("; ", fields));
      TrainingJob failed = persist(job, t.status(), context);
      t.events().forEach(ev -> publish(failed, ev, context));
    });
    return UpdateControl.noUpdate();
  }

  private UpdateControl<TrainingJob> reconcileNow(TrainingJob job, Context<TrainingJob> context) {
    JobObservation observation = observe(job, context, clock.instant());
    JobDecision decision = decider.decide(observation);
    TrainingJob persisted;
    try {
      persisted = persist(job, decision.status(), context);
    } catch (KubernetesClientException e) {
      if (ReconcileErrors.objectGone(e, job.getMetadata().getName())) {
        // Deleted while deciding (a user's delete, a TTL): nothing to act on, and no error to report on a job that is
        // gone. Its pods go with it (garbage collector); the capacity held for it is free now.
        LOG.debug("TrainingJob {} was deleted while deciding", observation.jobKey());
        placement.forget(observation.jobKey());
        return UpdateControl.noUpdate();
      }
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.debug("TrainingJob {} changed while deciding; deciding again", observation.jobKey());
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(CONFLICT_RETRY);
    }
    if (!java.util.Objects.equals(persisted.getMetadata().getGeneration(), job.getMetadata().getGeneration())) {
      // The spec changed while deciding and the status write was still taken (an API server that does not enforce the
      // lock on the status subresource, as Fabric8's mock server): the decision is stale, so act on none of it.
      LOG.debug("TrainingJob {} spec changed while deciding; deciding again", observation.jobKey());
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(CONFLICT_RETRY);
    }
    record(observation, decision);
    try {
      act(persisted, observation, decision, context);
    } catch (JobActuator.PodRejected e) {
      // The API server, not Gangway's validation, found the pod spec invalid: retrying cannot help, and the capacity
      // held for the pods it refused is free again.
      placement.forget(observation.jobKey());
      StatusTransition rejected = JobStatusMachine.rejected(persisted, e.getMessage(), clock.instant());
      TrainingJob failed = persist(persisted, rejected.status(), context);
      rejected.events().forEach(ev -> publish(failed, ev, context));
      return UpdateControl.noUpdate();
    } catch (JobActuator.QuotaRefused e) {
      // Half a gang would hold GPUs it cannot train on: the next decision deletes what was created and waits for the quota.
      LOG.info("TrainingJob {}: {}", observation.jobKey(), e.getMessage());
      placement.quotaRefused(observation.jobKey(), observation.gang().attempt(), e.refusal());
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(CONFLICT_RETRY);
    } catch (JobActuator.AdmissionRefused e) {
      // As for a quota: the next decision deletes what was created, and the gang waits for its retry holding nothing.
      LOG.info("TrainingJob {}: {}", observation.jobKey(), e.getMessage());
      placement.admissionRefused(observation.jobKey(), observation.gang().attempt(), e.object(), e.serverMessage(), clock.instant());
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(CONFLICT_RETRY);
    }
    if (decision.wake() != null) {
      return UpdateControl.<TrainingJob>noUpdate().rescheduleAfter(decision.wake());
    }
    return withTtl(persisted, decision.status(), clock.instant(), UpdateControl.noUpdate(), context);
  }

  /** One read of the job, its pods, its checkpoint reports and — for a job that can still progress — the cluster. */
  private JobObservation observe(TrainingJob job, Context<TrainingJob> context, Instant now) {
    List<Pod> pods = podsOf(job);
    GangObservation gang = GangObservation.of(pods, JobStatusMachine.attemptToRun(job, now), job.getSpec().getReplicas());
    List<ClusterTopology> topologies = cached(context, ClusterTopology.class, TOPOLOGIES);
    List<String> problems = validate(job, topologies);
    boolean mayProgress = problems.isEmpty() && !job.getSpec().suspended() && !finished(job) && !JobStatusMachine.succeeded(job.getSpec(), gang);
    ClusterView cluster = mayProgress ? clusterView(context, topologies) : null;
    // The queue is what the API server stores, read from the informer's cache only when a gang decides: it survives a leader change.
    return new JobObservation(job, pods, gang, problems, checkpointReports(job, pods, now), cluster,
        () -> context.getPrimaryCache().list().toList(), node -> nodeStatus(cluster, node, now), pod -> logTail(context, pod),
        statusWrites.last(job.getMetadata().getUid()), now);
  }

  /** A finished job stays finished, except one that failed validation: a corrected spec starts it over. */
  private static boolean finished(TrainingJob job) {
    TrainingJobStatus status = job.getStatus();
    return status != null && status.getPhase() != null && status.getPhase().isFinished() && !JobStatusMachine.mayStartOver(job);
  }

  /** Writes the decided status with the job's resourceVersion (optimistic locking) and caches the result; unchanged → no write. */
  private TrainingJob persist(TrainingJob job, TrainingJobStatus status, Context<TrainingJob> context) {
    if (status.equals(job.getStatus())) {
      return job;
    }
    TrainingJob next = new TrainingJob();
    next.setMetadata(job.getMetadata());
    next.setSpec(job.getSpec());
    next.setStatus(status);
    // Locked to the resourceVersion the decision was made on: a write based on a stale read is refused (409), never
    // retried against a newer version, so nothing written meanwhile (a check-in's lastCheckpoint) is overwritten.
    String version = job.getMetadata().getResourceVersion();
    TrainingJob written = context.resourceOperations().resourcePatch(next,
        j -> context.getClient().resource(j).lockResourceVersion(version).updateStatus(), context.eventSourceRetriever().getControllerEventSource());
    statusWrites.wrote(job.getMetadata().getUid(), clock.instant());
    return written;
  }

  /** In-memory bookkeeping of the persisted decision (metrics); no cluster writes. */
  private void record(JobObservation observation, JobDecision decision) {
    TrainingJobStatus before = observation.job().getStatus();
    metrics.goodput(observation.job().getMetadata().getNamespace(), observation.job().getMetadata().getName(),
        before == null ? null : before.getGoodput(), decision.status().getGoodput());
    metrics.firstRunning(observation.job().getMetadata().getCreationTimestamp(), before, decision.status());
    metrics.inPlaceRestarts(before, decision.status());
    if (decision.placementTime() != null) {
      metrics.decision(decision.placementTime(), decision.placement());
    }
    TrainingJob job = observation.job();
    metrics.firstAttempt(ResourceID.fromResource(job), observation.gang().attempt(),
        Timestamps.parseOr(job.getMetadata().getCreationTimestamp(), observation.now()),
        decision.placement().kind() == PlacementDecision.Kind.PLACED, allBound(observation.gang()), observation.now());
    if (decision.recovery().kind() == RecoveryDecision.Kind.RESTART) {
      metrics.restarted(decision.recovery().restart().record(), decision.recovery().restart().infrastructure());
    }
  }

  /** Every rank of the attempt has its pod, bound to a node. */
  private static boolean allBound(GangObservation gang) {
    return gang.complete() && !gang.attemptPods().isEmpty() && gang.attemptPods().stream().allMatch(SnapshotFactory::bound);
  }

  private void act(TrainingJob job, JobObservation observation, JobDecision decision, Context<TrainingJob> context) {
    KubernetesClient client = context.getClient();
    // The placement's writes (pods created pinned, gated ones released) are timed apart from the decision.
    boolean placing = !decision.pods().ranksToCreate().isEmpty() || !decision.placement().release().isEmpty();
    long started = System.nanoTime();
    Instant time = decision.placement().time() == null ? observation.now() : decision.placement().time();
    actuator.apply(client, job, decision.status(), time, decision.pods(), observation.pods(), observation.gang().attempt(),
        context.getSecondaryResource(Service.class), context.getSecondaryResource(ConfigMap.class));
    GangPodWriter.apply(client, decision.placement(), ownWrites);
    if (placing) {
      metrics.writes(Duration.ofNanos(System.nanoTime() - started));
    }
    if (decision.flaggedNode() != null) {
      nodeMarker.flag(client, decision.flaggedNode());
    }
    TrainingJobStatus before = observation.job().getStatus();
    if (decision.status().getTimings() != null && !decision.status().getTimings().equals(before == null ? null : before.getTimings())) {
      metrics.recovered(decision.status());
    }
    decision.events().forEach(e -> publish(job, e, context));
  }

  /** A Kubernetes Event on the job and, for lifecycle changes, a CloudEvent on the job-events channel. */
  private void publish(TrainingJob job, JobEvent event, Context<TrainingJob> context) {
    events.record(context.getClient(), job, event);
    JobCloudEvents.publish(deps.publisher(), job, job.getStatus(), event, clock.instant());
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

  /** Checkpoint reports waiting for this job: from the channels, and in rank 0's termination message. */
  private List<CheckpointReport> checkpointReports(TrainingJob job, List<Pod> pods, Instant now) {
    List<CheckpointReport> reports = new ArrayList<>();
    deps.checkpoints().latest(job.getMetadata().getUid()).ifPresent(reports::add);
    pods.stream()
        .filter(p -> "0".equals(p.getMetadata().getLabels().get(JobNames.LABEL_RANK)))
        .forEach(p -> TerminationMessages.of(p).flatMap(m -> TerminationMessage.report(m, job,
            Integer.parseInt(p.getMetadata().getLabels().get(JobNames.LABEL_ATTEMPT)), now)).ifPresent(reports::add));
    return reports;
  }

  private dev.gangway.recovery.NodeStatus nodeStatus(ClusterView cluster, String node, Instant now) {
    Node found = cluster.node(node).orElse(null);
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

  @SuppressWarnings("unchecked")
  private static <R> List<R> cached(Context<TrainingJob> context, Class<R> type, String name) {
    var source = (InformerEventSource<? extends HasMetadata, TrainingJob>) context.eventSourceRetriever().getEventSourceFor(type, name);
    return (List<R>) source.list().toList();
  }

  private static ClusterView clusterView(Context<TrainingJob> context, List<ClusterTopology> topologies) {
    return new ClusterView(topologies, cached(context, Node.class, NODES), cached(context, PriorityClass.class, PRIORITY_CLASSES),
        cached(context, ResourceQuota.class, QUOTAS), cached(context, LimitRange.class, LIMIT_RANGES));
  }

  /** Whether the job waits for room in its namespace's ResourceQuotas. */
  private static boolean waitsForQuota(TrainingJob job) {
    return job.getStatus() != null
        && JobConditions.notPlacedReason(job.getStatus().getConditions()).filter(GangPlacementStep::waitsForQuota).isPresent();
  }

  /**
   * Whether a change of the ClusterTopologies may change this job's next step: it names topology levels, is not
   * suspended, and either has not started ({@link #validate} reads the topologies) or waits for its topology to exist.
   */
  private static boolean readsTopologies(TrainingJob job) {
    if (job.getSpec() == null || !SpecValidator.namesTopologyLevels(job.getSpec().getTopology()) || job.getSpec().suspended()) {
      return false;
    }
    TrainingJobStatus status = job.getStatus();
    return status == null || status.getStartTime() == null
        || JobConditions.notPlacedReason(status.getConditions()).filter(GangPlacementStep.TOPOLOGY_NOT_FOUND::equals).isPresent();
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

  private static UpdateControl<TrainingJob> withTtl(TrainingJob job, TrainingJobStatus status, Instant now,
                                                     UpdateControl<TrainingJob> control, Context<TrainingJob> context) {
    Long ttl = job.getSpec().getTtlSecondsAfterFinished();
    if (ttl == null || status.getPhase() == null || !status.getPhase().isFinished() || status.getCompletionTime() == null) {
      return control;
    }
    Instant expiry = Timestamps.parseOr(status.getCompletionTime(), now).plusSeconds(ttl);
    if (!now.isBefore(expiry)) {
      LOG.info("Deleting TrainingJob {}/{}: finished {} s ago (ttlSecondsAfterFinished)", job.getMetadata().getNamespace(),
          job.getMetadata().getName(), ttl);
      context.getClient().resource(job).delete();
      return UpdateControl.noUpdate();
    }
    return control.rescheduleAfter(Duration.between(now, expiry).plusMillis(100));
  }
}
