package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A running job's goodput as a platform team reads it: status.goodput refreshed once a minute although nothing else
 * about the job changes, the job's gauge on the leader's /q/metrics, and the gauge gone once the job is deleted
 * (JOSDK calls no reconcile for a deleted job: the housekeeping sweep drops it).
 */
@ExtendWith(E2eEnvironment.Extension.class)
class GoodputGaugeE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private final E2eEnvironment env;
  private final ClusterUnderTest cluster;
  private Kube kube;

  GoodputGaugeE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.clusterUnderTest();
  }

  @BeforeEach
  void namespace() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    if (!env.operator().isAlive()) {
      env.restartOperator();
    }
    kube = Kube.inFreshNamespace(cluster, "goodput");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void aRunningJobsGoodputIsRefreshedEveryMinuteAndItsGaugeGoesWithTheJob() throws Exception {
    kube.apply(Manifests.trainingJob("steady", 1, 8, ""));
    await("steady Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("steady")).isEqualTo("Running"));
    String opened = kube.get("tj", "steady").path("status").path("goodput").path("updatedTime").asText();

    // Nothing happens to the job: only the refresh (JobGoodput.REFRESH, 60 s) writes its goodput again.
    await("a refreshed status.goodput").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode status = kube.get("tj", "steady").path("status");
      assertThat(status.path("goodput").path("updatedTime").asText()).as(status::toString).isNotEqualTo(opened);
      assertThat(status.path("goodput").path("heldGpuSeconds").asLong()).as(status::toString).isGreaterThanOrEqualTo(8L * 30);
      assertThat(status.path("phase").asText()).isEqualTo("Running");
      assertThat(status.path("attempt").asInt()).isEqualTo(1);
    });
    Pattern series = Pattern.compile("(?m)^gangway_job_goodput_ratio\\{(?=[^}]*name=\"steady\")(?=[^}]*namespace=\""
        + Pattern.quote(kube.namespace()) + "\")[^}]*} \\S+$");
    await("the job's goodput gauge").atMost(WAIT).until(() -> series.matcher(env.operator().metrics()).find());

    kube.kubectl("delete", "tj", "steady");
    // The gauges of deleted jobs are dropped every 30 s.
    await("the gauge of the deleted job gone").atMost(Duration.ofSeconds(75))
        .until(() -> !series.matcher(env.operator().metrics()).find());
  }
}
