package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The placement queue on the real control plane (`small`: 16 nodes x 8 GPUs): a gang that can never
 * fit is told so at once and blocks no one; the head of the queue keeps the capacity it waits for
 * against later, smaller gangs of the same priority, and keeps its place when the operator restarts
 * (the order is rebuilt from what the API server stores, not from memory). On a platform that lets gangs pass a head for a
 * while (placement.headHoldsAfterSeconds), a later small gang starts at once while the head waits.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class QueueE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private final E2eEnvironment env;
  private Kube kube;

  QueueE2eTest(E2eEnvironment env) {
    this.env = env;
  }

  @BeforeEach
  void namespaceAndTopology() {
    ClusterUnderTest cluster = env.clusterUnderTest();
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    cluster.kubectlOk("apply", "-f", cluster.topology().toString());
    kube = Kube.inFreshNamespace(cluster, "queue");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void aGangThatCanNeverFitIsUnschedulableAtOnceAndBlocksNoOne() {
    kube.apply(job("too-big", 17));
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode placed = kube.condition("too-big", "Placed");
      assertThat(placed.path("status").asText()).isEqualTo("False");
      assertThat(placed.path("reason").asText()).isEqualTo("Unschedulable");
      // Names what the cluster could ever offer, so the user knows what to ask for instead.
      assertThat(placed.path("message").asText()).contains("needs 17 ranks x 8 GPUs; the whole cluster has 16 nodes x 8 GPUs = 128 GPUs")
          .contains("room for 16 such ranks");
    });

    kube.apply(job("after", 2));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("after")).as(() -> kube.describe("after")).isEqualTo("Running"));
    assertThat(kube.condition("too-big", "Placed").path("reason").asText()).isEqualTo("Unschedulable");
  }

  @Test
  void theHeadKeepsItsCapacityAgainstLaterGangsAndItsPlaceAcrossAnOperatorRestart() {
    kube.apply(job("running", 12));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("running")).isEqualTo("Running"));
    // Needs all 16 nodes: it waits for `running`, first in the queue.
    kube.apply(job("head", 16));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.condition("head", "Placed").path("status").asText()).isEqualTo("False"));
    // Fits on the 4 free nodes now, but would delay the head's start: it must wait behind it.
    kube.apply(job("later", 2));
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode placed = kube.condition("later", "Placed");
      assertThat(placed.path("reason").asText()).isEqualTo("QueuedBehind");
      assertThat(placed.path("message").asText()).contains(kube.namespace() + "/head");
    });

    env.restartOperator();
    // A new operator process knows the order from the stored jobs: `later` still waits behind `head`.
    await().pollDelay(Duration.ofSeconds(10)).atMost(WAIT).untilAsserted(() -> {
      assertThat(kube.condition("later", "Placed").path("reason").asText()).isEqualTo("QueuedBehind");
      assertThat(kube.pods("later")).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").isMissingNode()).isTrue());
    });

    kube.kubectl("delete", "tj", "running", "--wait=false");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("head")).as(() -> kube.describe("head")).isEqualTo("Running"));
    assertThat(kube.phase("later")).isNotEqualTo("Running");

    kube.kubectl("delete", "tj", "head", "--wait=false");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("later")).as(() -> kube.describe("later")).isEqualTo("Running"));
  }

  @Test
  void onAPlatformThatLetsGangsPassTheHeadALaterSmallGangStartsWhileTheHeadWaits() {
    // The shared operator is replaced by one configured as the chart configures it with placement.headHoldsAfterSeconds=600.
    env.operator().close();
    try (OperatorProcess passing = env.startOperator("operator-head-passed", Map.of(),
        Map.of("GANGWAY_PLACEMENT_HEAD_HOLDS_AFTER_SECONDS", "600"))) {
      kube.apply(job("running", 12));
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("running")).as(() -> kube.describe("running")).isEqualTo("Running"));
      kube.apply(job("head", 16));
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.condition("head", "Placed").path("status").asText()).isEqualTo("False"));
      // Fits on the 4 free nodes now; the head has waited less than 600 s, so it holds nothing yet.
      kube.apply(job("later", 2));
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("later")).as(() -> kube.describe("later")).isEqualTo("Running"));
      // Not even for the head's first 30 s, when it would hold out for a tighter placement had it fitted.
      String waits = kube.kubectl("get", "events", "--field-selector", "involvedObject.name=later,reason=WaitingForPlacement", "-o",
          "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}");
      assertThat(waits).as("later's waits").doesNotContain("is first in the queue");
      assertThat(kube.condition("head", "Placed").path("status").asText()).isEqualTo("False");
      assertThat(kube.pods("head")).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").isMissingNode()).isTrue());
    } finally {
      env.restartOperator();
    }
    // The shipped default again (the head holds at once): the next small gang waits behind the same head.
    kube.apply(job("after", 2));
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode placed = kube.condition("after", "Placed");
      assertThat(placed.path("reason").asText()).isEqualTo("QueuedBehind");
      assertThat(placed.path("message").asText()).contains(kube.namespace() + "/head");
    });
    assertThat(kube.pods("after")).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").isMissingNode()).isTrue());
  }

  private static String job(String name, int replicas) {
    return Manifests.trainingJob(name, replicas, 8, "");
  }
}
