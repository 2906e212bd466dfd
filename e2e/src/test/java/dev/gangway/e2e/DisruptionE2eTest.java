package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.e2e.chaos.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Disruptions any cluster can produce through its API, the way they come in production: a rank's pod
 * deleted (an eviction, a preemption, a person) and a node drained for repair. These run on every
 * cluster the suite targets, so they prove {@link ApiFaults} wherever it runs.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class DisruptionE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private final E2eEnvironment env;
  private final ClusterUnderTest cluster;
  private final FaultInjector faults;
  private Kube kube;

  DisruptionE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.clusterUnderTest();
    this.faults = cluster.faults();
  }

  @BeforeEach
  void namespace() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube = Kube.inFreshNamespace(cluster, "disrupt");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void aDeletedRankPodRestartsTheGangWithoutSpendingTheJobsRestartBudget() {
    // maxRestarts 0: a restart counted against the job's own budget would fail it.
    kube.apply(Manifests.trainingJob("evicted", 2, 8, Manifests.failurePolicy("maxRestarts: 0", 1)));
    awaitAttemptRunning("evicted", 1);

    faults.deletePods(kube, "gangway.dev/job-name=evicted,gangway.dev/rank=1");

    awaitAttemptRunning("evicted", 2);
    JsonNode status = kube.get("tj", "evicted").path("status");
    assertThat(status.path("restarts").asInt()).isZero();
    assertThat(status.path("infrastructureRestarts").asInt()).isEqualTo(1);
    assertThat(status.path("restartHistory").get(0).path("cause").asText()).isEqualTo("PodDisrupted");
    // Nothing says the node is bad: the job may go back to it.
    assertThat(status.has("excludedNodes")).as(status::toString).isFalse();
    assertThat(kube.pods("evicted")).filteredOn(p -> !p.path("metadata").has("deletionTimestamp")).hasSize(2)
        .allSatisfy(p -> assertThat(p.path("metadata").path("labels").path("gangway.dev/attempt").asText()).isEqualTo("2"));
  }

  @Test
  void aDrainedNodesRankIsEvictedAndTheGangIsPlacedAgainAwayFromIt() {
    kube.apply(Manifests.trainingJob("drained", 2, 8, Manifests.failurePolicy("maxRestarts: 0", 1)));
    awaitAttemptRunning("drained", 1);
    String node = kube.pods("drained").stream().filter(p -> p.path("metadata").path("labels").path("gangway.dev/rank").asInt() == 0)
        .findFirst().orElseThrow().path("spec").path("nodeName").asText();

    try {
      faults.drainNode(node);

      awaitAttemptRunning("drained", 2);
      JsonNode status = kube.get("tj", "drained").path("status");
      assertThat(status.path("restarts").asInt()).isZero();
      assertThat(status.path("restartHistory").get(0).path("cause").asText()).isEqualTo("PodDisrupted");
      assertThat(kube.pods("drained")).filteredOn(p -> p.path("metadata").path("labels").path("gangway.dev/attempt").asInt() == 2)
          .hasSize(2).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").asText()).as("a rank of the new attempt")
              .isNotEqualTo(node));
    } finally {
      faults.uncordonNode(node);
    }
  }

  @Test
  void aDeletedJobsRanksGoWithinAMinuteWithoutAGarbageCollectorByTheLeaderAndItsNameAppliedAgainKeepsItsService() {
    cluster.assume(Capability.CONTROL_PLANE_RESTART);
    cluster.assume(Capability.AUDIT_LOG);
    LocalCluster local = env.cluster();
    if (!env.operator().isAlive()) {
      env.restartOperator();
    }
    // Two replicas, as the chart installs them: the sweep is the leader's, and the follower must not delete too.
    OperatorProcess second = env.startOperator("disrupt-second-replica", Map.of());
    try {
      OperatorProcess leader = PackagedLease.awaitHolder(cluster, List.of(env.operator(), second), WAIT);
      OperatorProcess follower = leader == second ? env.operator() : second;
      String service = deleteAndApplyAgainWithoutAGarbageCollector(local, leader, follower);
      // The garbage collector, running again, deletes what the deleted job still owns: the Service is not among it.
      await("the garbage collector deletes the canary").atMost(WAIT)
          .until(() -> cluster.kubectl("get", "configmap", "canary", "-n", kube.namespace()).exitCode() != 0);
      JsonNode kept = kube.get("service", "abandoned");
      assertThat(kept.path("metadata").path("uid").asText()).as("the same Service, never deleted").isEqualTo(service);
      assertThat(kept.path("metadata").path("ownerReferences").get(0).path("uid").asText())
          .isEqualTo(kube.get("tj", "abandoned").path("metadata").path("uid").asText());
      assertThat(kube.phase("abandoned")).isEqualTo("Running");
    } finally {
      second.close();
      if (!env.operator().isAlive()) {
        env.restartOperator();
      }
    }
  }

  /** Returns the uid of the Service the job applied again runs with. */
  private String deleteAndApplyAgainWithoutAGarbageCollector(LocalCluster local, OperatorProcess leader, OperatorProcess follower) {
    kube.apply(Manifests.trainingJob("abandoned", 2, 8, ""));
    awaitAttemptRunning("abandoned", 1);

    // The garbage collector runs in kube-controller-manager: with it down (a crash, an upgrade, its API server restarting),
    // a deleted job's pods are nobody's to delete but Gangway's.
    String first = kube.get("tj", "abandoned").path("metadata").path("uid").asText();
    local.stop("kube-controller-manager").assertOk();
    try {
      Instant deleted = Instant.now().minusSeconds(1);
      kube.kubectl("delete", "tj", "abandoned");
      // A canary the deleted job owns: its deletion shows the garbage collector has acted, once it runs again.
      cluster.kubectlWithInput("""
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: canary
            ownerReferences:
            - {apiVersion: gangway.dev/v1alpha1, kind: TrainingJob, name: abandoned, uid: %s}
          """.formatted(first), "apply", "-n", kube.namespace(), "-f", "-").assertOk();
      await("the deleted job's pods gone").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(kube.pods("abandoned")).as("pods of the deleted job").isEmpty());
      // Who deleted them: the leader, and nothing of the follower's in the namespace (the audit log names each replica's
      // user agent; KWOK's own deletes of terminating pods are not Gangway's).
      List<AuditEvent> writes = AuditEvent.read(local.auditLog()).stream()
          .filter(e -> e.write() && kube.namespace().equals(e.namespace()) && e.received().isAfter(deleted)).toList();
      assertThat(writes).filteredOn(e -> e.userAgent().startsWith("gangway-operator-") && "delete".equals(e.verb())
              && "pods".equals(e.resource()) && e.succeeded())
          .as("Gangway's deletes of the deleted job's pods").isNotEmpty()
          .allSatisfy(e -> assertThat(e.userAgent()).as(e.describe()).startsWith(PackagedLease.writer(leader) + "/"));
      assertThat(writes).filteredOn(e -> e.userAgent().startsWith(PackagedLease.writer(follower) + "/"))
          .as("writes by the follower").isEmpty();
      // Applied again under its name: the deleted job's Service, still there, is taken over, not left to the collector.
      kube.apply(Manifests.trainingJob("abandoned", 2, 8, ""));
      awaitAttemptRunning("abandoned", 1);
      return kube.get("service", "abandoned").path("metadata").path("uid").asText();
    } finally {
      // The namespace's deletion below needs it too.
      local.start("kube-controller-manager").assertOk();
    }
  }

  private void awaitAttemptRunning(String job, int attempt) {
    await(job + " attempt " + attempt + " Running").atMost(WAIT).untilAsserted(() -> {
      JsonNode status = kube.get("tj", job).path("status");
      assertThat(status.path("attempt").asInt()).as(() -> kube.describe(job)).isEqualTo(attempt);
      assertThat(status.path("phase").asText()).as(() -> kube.describe(job)).isEqualTo("Running");
    });
  }
}
