package dev.gangway.operator;

import dev.gangway.act.RankPodBuilder;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Objects the operator tests create on the mock API server. */
public final class TestObjects {

  private TestObjects() {
  }

  /** A one-rank CPU job, created; the server has given it a uid. */
  public static TrainingJob trainingJob(KubernetesClient client, String namespace, String name) {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(1);
    spec.setGpusPerReplica(0);
    spec.setTemplate(new PodTemplateSpecBuilder().withNewSpec().addNewContainer().withName("main").withImage("train:latest")
        .endContainer().endSpec().build());
    job.setSpec(spec);
    return client.resource(job).create();
  }

  public static TrainingJob read(KubernetesClient client, TrainingJob job) {
    return client.resources(TrainingJob.class).inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).get();
  }

  public static Node node(KubernetesClient client, String name) {
    return client.resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
  }

  /** A checkpoint report for the job as the training code would send it. */
  public static String report(TrainingJob job, int attempt, long step) {
    return "{\"namespace\":\"" + job.getMetadata().getNamespace() + "\",\"name\":\"" + job.getMetadata().getName() + "\",\"uid\":\""
        + job.getMetadata().getUid() + "\",\"attempt\":" + attempt + ",\"step\":" + step + ",\"path\":\"/ckpt/step-" + step + "\"}";
  }

  /**
   * Rank 0 of the job, created as Gangway builds it (no reconciler runs in the tests' namespaces),
   * and the token bound to it, as FakeReviews reads it.
   */
  public static String rankToken(KubernetesClient client, TrainingJob job) {
    var pod = client.resource(RankPodBuilder.build(job, 0, 1, null)).create();
    return "pod:" + pod.getMetadata().getNamespace() + ":" + pod.getMetadata().getName() + ":" + pod.getMetadata().getUid();
  }
}
