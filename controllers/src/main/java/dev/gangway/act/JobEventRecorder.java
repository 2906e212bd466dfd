package dev.gangway.act;

import dev.gangway.decide.JobEvent;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events on a job, which `kubectl describe tj` and event exporters show. */
public class JobEventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(JobEventRecorder.class);
  static final String COMPONENT = "gangway-operator";

  /** An Event on a Node (kept in the default namespace, as the kubelet's are), e.g. when Gangway marks it unhealthy. */
  public void recordOnNode(KubernetesClient client, String node, JobEvent event) {
    String now = Instant.now().toString();
    var k8sEvent = new EventBuilder()
        .withNewMetadata().withName(node + "." + UUID.randomUUID().toString().substring(0, 13)).withNamespace("default").endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(node).withUid(node).build())
        .withType(event.warning() ? "Warning" : "Normal").withReason(event.reason()).withMessage(event.message())
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource().withReportingComponent(COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace("default").resource(k8sEvent).create();
    } catch (KubernetesClientException e) {
      LOG.warn("Could not record event {} on Node {}: {}", event.reason(), node, e.getMessage());
    }
  }

  public void record(KubernetesClient client, TrainingJob job, JobEvent event) {
    String now = Instant.now().toString();
    var k8sEvent = new EventBuilder()
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
        .withNamespace(job.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(job.getApiVersion()).withKind(job.getKind())
            .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace())
            .withUid(job.getMetadata().getUid()).withResourceVersion(job.getMetadata().getResourceVersion()).build())
        .withType(event.warning() ? "Warning" : "Normal")
        .withReason(event.reason())
        .withMessage(event.message())
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace(job.getMetadata().getNamespace()).resource(k8sEvent).create();
    } catch (KubernetesClientException e) {
      // An event is worth losing; a reconcile is not.
      LOG.warn("Could not record event {} on TrainingJob {}/{}: {}", event.reason(), job.getMetadata().getNamespace(),
          job.getMetadata().getName(), e.getMessage());
    }
  }
}
