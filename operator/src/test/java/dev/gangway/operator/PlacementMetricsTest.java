package dev.gangway.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metrics endpoint times each stage of a placement separately: the snapshot and engine, the API writes, and the
 * job's creation to every rank bound. The cluster cache behind the placer is fed by the operator's own informers: the
 * nodes created here are what the gang is placed on.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PlacementMetricsTest {

  @Inject
  KubernetesClient client;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @Test
  void eachStageOfAPlacementIsTimedOnTheMetricsEndpoint() throws Exception {
    for (int i = 0; i < 4; i++) {
      String name = "metrics-node-" + i;
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name)
          .endMetadata().withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8"))
          .addToAllocatable("cpu", new Quantity("64")).addToAllocatable("memory", new Quantity("512Gi"))
          .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withName("timed").withNamespace("default").build());
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(2);
    spec.setGpusPerReplica(8);
    spec.setFramework(Framework.GENERIC);
    spec.setTemplate(new PodTemplateSpecBuilder().withNewSpec().addNewContainer().withName("main").withImage("train:latest")
        .endContainer().endSpec().build());
    job.setSpec(spec);
    client.resource(job).create();

    // Placed: each rank carries its node and has left the gate (the mock server has no kube-scheduler to bind it).
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ranks()).hasSize(2).allSatisfy(p -> {
      assertThat(p.getMetadata().getAnnotations()).containsKey("gangway.dev/reserved-node");
      assertThat(p.getSpec().getSchedulingGates()).isEmpty();
    }));
    // Bound, as kube-scheduler would: to the node each rank was reserved on.
    for (Pod rank : ranks()) {
      client.pods().resource(rank).edit(p -> {
        p.getSpec().setNodeName(p.getMetadata().getAnnotations().get("gangway.dev/reserved-node"));
        return p;
      });
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String scraped = scrape();
      assertThat(count(scraped, "gangway_placement_snapshot_engine_seconds_count")).isPositive();
      assertThat(count(scraped, "gangway_placement_writes_seconds_count")).isPositive();
      assertThat(count(scraped, "gangway_placement_apply_to_bound_seconds_count")).isEqualTo(1);
      assertThat(count(scraped, "gangway_placement_decision_seconds_count")).isPositive();
      assertThat(count(scraped, "gangway_placement_cache_pods")).isGreaterThanOrEqualTo(2);
      // The reconcile loop's own series (the Java Operator SDK's), which the dashboard's Reconciles panel reads.
      assertThat(count(scraped, "reconciliations_started_total")).isPositive();
      assertThat(count(scraped, "reconciliations_execution_duration_seconds_count")).isPositive();
      assertThat(scraped).containsPattern("(?m)^reconciliations_queue\\{controller_name=\"trainingjob\"} ");
    });
  }

  private List<Pod> ranks() {
    return client.pods().inNamespace("default").withLabel("gangway.dev/job-name", "timed").list().getItems();
  }

  private String scrape() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The sum of a series' samples (over its labels); 0 when absent. */
  private static double count(String scraped, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + "(\\{[^}]*})? (\\S+)$").matcher(scraped);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }
}
