package dev.gangway.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged application finds the reconciler in the controllers jar and reconciles a job. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorWiringTest {

  @Inject
  KubernetesClient client;

  @Inject
  io.javaoperatorsdk.operator.Operator operator;

  @Test
  void theApplicationReconcilesATrainingJob() {
    // Room for the gang: its pods are created once it is placed.
    for (int i = 0; i < 2; i++) {
      String name = "wiring-node-" + i;
      client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(name)
          .addToLabels("kubernetes.io/hostname", name).endMetadata().withNewStatus()
          .addToAllocatable("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("8"))
          .addToAllocatable("cpu", new io.fabric8.kubernetes.api.model.Quantity("64"))
          .addToAllocatable("memory", new io.fabric8.kubernetes.api.model.Quantity("512Gi"))
          .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).createOr(n -> n.update());
    }
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withName("wired").withNamespace("default").build());
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(2);
    spec.setGpusPerReplica(8);
    spec.setFramework(Framework.JAX);
    spec.setTemplate(new PodTemplateSpecBuilder().withNewSpec().addNewContainer().withName("main").withImage("jax:latest")
        .endContainer().endSpec().build());
    job.setSpec(spec);
    client.resource(job).create();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(client.pods().inNamespace("default").withLabel("gangway.dev/job-name", "wired").list().getItems()).hasSize(2);
      TrainingJob seen = client.resources(TrainingJob.class).inNamespace("default").withName("wired").get();
      assertThat(seen.getStatus()).isNotNull();
      assertThat(seen.getStatus().getPhase()).isEqualTo(JobPhase.Pending);
    });
  }

  /** The Quarkus extension installs no informer-stopped handler of its own: without ours a failed informer would go silent. */
  @Test
  void anInformerThatStopsWithAnErrorEndsTheProcess() {
    assertThat(operator.getConfigurationService().getInformerStoppedHandler())
        .hasValueSatisfying(h -> assertThat(h).isInstanceOf(dev.gangway.operator.health.ExitOnStoppedInformer.class));
  }

  /** The API server derives the field manager of a non-apply write from the user agent, up to the first slash. */
  @Test
  void theClientNamesThisReplicaInItsUserAgent() {
    String replica = System.getenv().getOrDefault("HOSTNAME", "gangway") + "-" + ProcessHandle.current().pid();
    assertThat(client.getConfiguration().getUserAgent()).startsWith("gangway-operator-" + replica + "/");
  }

  /** The client reads a stored job with a field beyond its type's range without that field, and notes it for the reconcile. */
  @Test
  void theClientReadsAJobWithAFieldOutOfRangeWithoutIt() {
    String stored = "{\"apiVersion\":\"gangway.dev/v1alpha1\",\"kind\":\"TrainingJob\",\"metadata\":{\"name\":\"big\","
        + "\"namespace\":\"default\"},\"spec\":{\"replicas\":1,\"failurePolicy\":{\"checkpointWaitSeconds\":2147483648}}}";

    TrainingJob read = client.getKubernetesSerialization().unmarshal(stored, TrainingJob.class);

    assertThat(read.getSpec().getReplicas()).isEqualTo(1);
    assertThat(dev.gangway.cache.UnreadableJobFields.of(read)).singleElement().asString()
        .startsWith("spec.failurePolicy.checkpointWaitSeconds: ");
  }

  /** The client the operator runs on reads with LeanReading: what the API server stores as managedFields is not read. */
  @Test
  void theClientSkipsManagedFieldsAsItReads() {
    client.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("read-lean").withNamespace("default")
        .withManagedFields(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager("kwok").withOperation("Update").build())
        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec().build()).create();

    assertThat(client.raw("/api/v1/namespaces/default/pods/read-lean")).contains("\"managedFields\"").contains("kwok");
    assertThat(client.pods().inNamespace("default").withName("read-lean").get().getMetadata().getManagedFields()).isEmpty();
  }
}
