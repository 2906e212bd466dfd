package dev.gangway.act;

import dev.gangway.decide.JobEvent;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events on a job, which `kubectl describe tj` and event exporters show. Each carries, besides the legacy
 * timestamps (whole seconds), its eventTime to the microsecond, so that the events of one reconcile — often in the same
 * second — list in the order they happened with `kubectl get events --sort-by=.eventTime`; the API server then also asks
 * for the reporting instance (which replica wrote it) and an action.
 */
public class JobEventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(JobEventRecorder.class);
  static final String COMPONENT = "gangway-operator";
  /** What the operator was doing when it recorded the event (the Event API's action): reconciling the object. */
  static final String ACTION = "Reconcile";
  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String instance;

  /** The replica's name: its pod's ({@code HOSTNAME}), else the component's. */
  public JobEventRecorder() {
    this(System.getenv("HOSTNAME"));
  }

  JobEventRecorder(String instance) {
    // The API server refuses a reporting instance longer than 128 characters.
    this.instance = instance == null || instance.isBlank() ? COMPONENT : instance.substring(0, Math.min(128, instance.length()));
  }

  /** An Event on a Node (kept in the default namespace, as the kubelet's are), e.g. when Gangway marks it unhealthy. */
  public void recordOnNode(KubernetesClient client, String node, JobEvent event) {
    var k8sEvent = event(event, Instant.now())
        .withNewMetadata().withName(node + "." + UUID.randomUUID().toString().substring(0, 13)).withNamespace("default").endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(node).withUid(node).build())
        .build();
    try {
      client.v1().events().inNamespace("default").resource(k8sEvent).create();
    } catch (KubernetesClientException e) {
      LOG.warn("Could not record event {} on Node {}: {}", event.reason(), node, e.getMessage());
    }
  }

  public void record(KubernetesClient client, TrainingJob job, JobEvent event) {
    var k8sEvent = event(event, Instant.now())
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
        .withNamespace(job.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(job.getApiVersion()).withKind(job.getKind())
            .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace())
            .withUid(job.getMetadata().getUid()).withResourceVersion(job.getMetadata().getResourceVersion()).build())
        .build();
    try {
      client.v1().events().inNamespace(job.getMetadata().getNamespace()).resource(k8sEvent).create();
    } catch (KubernetesClientException e) {
      // An event is worth losing; a reconcile is not.
      LOG.warn("Could not record event {} on TrainingJob {}/{}: {}", event.reason(), job.getMetadata().getNamespace(),
          job.getMetadata().getName(), e.getMessage());
    }
  }

  /** What every Event of Gangway's says besides its object: type, reason, message, when, and who wrote it. */
  EventBuilder event(JobEvent event, Instant now) {
    return new EventBuilder()
        .withType(event.warning() ? "Warning" : "Normal").withReason(event.reason()).withMessage(event.message())
        .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
        .withEventTime(new MicroTime(MICROS.format(now)))
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT).withReportingInstance(instance).withAction(ACTION);
  }
}
