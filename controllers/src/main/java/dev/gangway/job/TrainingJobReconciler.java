package dev.gangway.job;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.rendezvous.RendezvousEnvironment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
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
 * status and {@link GangActions} the changes, apply them idempotently, write status only when it
 * changed.
 */
@ControllerConfiguration(name = TrainingJobReconciler.NAME)
public class TrainingJobReconciler implements Reconciler<TrainingJob> {
  public static final String NAME = "trainingjob";
  private static final Logger LOG = LoggerFactory.getLogger(TrainingJobReconciler.class);
  private static final String TOPOLOGIES = "clustertopologies";

  private final Clock clock;
  private final JobEventRecorder events;

  public TrainingJobReconciler() {
    this(Clock.systemUTC(), new JobEventRecorder());
  }

  public TrainingJobReconciler(Clock clock, JobEventRecorder events) {
    this.clock = clock;
    this.events = events;
  }

  @Override
  public List<EventSource<?, TrainingJob>> prepareEventSources(EventSourceContext<TrainingJob> context) {
    var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    var services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    var configMaps = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, TrainingJob.class)
        .withLabelSelector(JobNames.LABEL_JOB).build(), context);
    // Topologies are read from this cache when validating; a change does not re-trigger jobs.
    var topologies = new InformerEventSource<>(InformerEventSourceConfiguration.from(ClusterTopology.class, TrainingJob.class)
        .withName(TOPOLOGIES).withWatchAllNamespaces().withSecondaryToPrimaryMapper(t -> Set.of()).build(), context);
    return List.of(pods, services, configMaps, topologies);
  }

  @Override
  public UpdateControl<TrainingJob> reconcile(TrainingJob job, Context<TrainingJob> context) {
    Instant now = clock.instant();
    List<Pod> pods = new ArrayList<>(context.getSecondaryResources(Pod.class));
    int attempt = JobStatusMachine.attemptOf(job);
    GangObservation gang = GangObservation.of(pods, attempt, job.getSpec().getReplicas());
    StatusTransition transition = JobStatusMachine.next(job, validate(job, context), gang, now);
    TrainingJobStatus status = transition.status();

    apply(job, GangActions.decide(status, gang, pods), attempt, context);
    transition.events().forEach(e -> events.record(context.getClient(), job, e));

    UpdateControl<TrainingJob> control = UpdateControl.noUpdate();
    if (!status.equals(job.getStatus())) {
      job.setStatus(status);
      control = UpdateControl.patchStatus(job);
    }
    return withTtl(job, status, now, control, context);
  }

  /** Only a job that has not started yet is validated against the cluster: a later topology change must not kill a running job. */
  private List<String> validate(TrainingJob job, Context<TrainingJob> context) {
    TrainingJobStatus status = job.getStatus();
    boolean started = status != null && status.getStartTime() != null;
    if (started || job.getSpec().suspended()) {
      return List.of();
    }
    var topologies = context.eventSourceRetriever().getEventSourceFor(ClusterTopology.class, TOPOLOGIES);
    List<ClusterTopology> known = ((InformerEventSource<ClusterTopology, TrainingJob>) topologies).list().toList();
    return SpecValidator.validate(job.getSpec(), known);
  }

  private void apply(TrainingJob job, GangActions actions, int attempt, Context<TrainingJob> context) {
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
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.debug("{} {} exists already", object.getKind(), object.getMetadata().getName());
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
