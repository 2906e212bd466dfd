package dev.gangway.charts;

import static dev.gangway.charts.Manifests.map;
import static dev.gangway.charts.Manifests.maps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The properties of the operator Deployment that matter for running it safely, asserted by meaning. */
class DeploymentTest {

  @Test
  void defaultDeploymentIsHardenedAndHighlyAvailable() {
    Manifests m = Manifests.parse(Helm.renderScenario(null));
    Map<String, Object> deployment = m.one("Deployment", "gangway");
    Map<String, Object> podSpec = map(deployment, "spec", "template", "spec");
    Map<String, Object> container = Manifests.operatorContainer(deployment);

    assertThat(map(deployment, "spec")).containsEntry("replicas", 2);
    assertThat(container.get("image")).isEqualTo("ghcr.io/gangway-dev/gangway-operator:0.1.0");
    assertThat(podSpec).containsEntry("serviceAccountName", "gangway").containsKey("terminationGracePeriodSeconds");

    Map<String, Object> podSecurity = map(podSpec, "securityContext");
    assertThat(podSecurity).containsEntry("runAsNonRoot", true);
    assertThat(map(podSecurity, "seccompProfile")).containsEntry("type", "RuntimeDefault");
    Map<String, Object> security = map(container, "securityContext");
    assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat(map(security, "capabilities").get("drop")).isEqualTo(List.of("ALL"));

    // Read-only root filesystem: /tmp is an emptyDir.
    assertThat(maps(container.get("volumeMounts"))).anySatisfy(v -> assertThat(v)
        .containsEntry("name", "tmp").containsEntry("mountPath", "/tmp"));
    assertThat(maps(podSpec.get("volumes"))).anySatisfy(v -> assertThat(v)
        .containsEntry("name", "tmp").containsKey("emptyDir"));

    assertThat(maps(container.get("ports"))).singleElement().satisfies(p -> assertThat(p)
        .containsEntry("name", "http").containsEntry("containerPort", 8080));
    assertThat(map(container, "livenessProbe", "httpGet")).containsEntry("path", "/q/health/live").containsEntry("port", "http");
    assertThat(map(container, "readinessProbe", "httpGet")).containsEntry("path", "/q/health/ready");
    assertThat(map(container, "startupProbe", "httpGet")).containsEntry("path", "/q/health/started");
    assertThat(map(container, "resources")).containsKeys("requests", "limits");

    Map<String, String> env = Manifests.env(container);
    assertThat(env).contains(
        entry("POD_NAMESPACE", "<from>"),
        entry("QUARKUS_OPERATOR_SDK_NAMESPACES", "JOSDK_ALL_NAMESPACES"),
        entry("QUARKUS_LOG_LEVEL", "INFO"),
        entry("GANGWAY_MESSAGING_TYPE", "in-memory"),
        entry("GANGWAY_NODE_HEALTH_TAINT_NODES", "false"),
        entry("GANGWAY_LEADER_ELECTION_LEASE_NAME", "gangway-leader"),
        entry("GANGWAY_LEADER_ELECTION_LEASE_DURATION", "15s"),
        entry("GANGWAY_LEADER_ELECTION_RENEW_DEADLINE", "10s"),
        entry("GANGWAY_LEADER_ELECTION_RETRY_PERIOD", "2s"),
        entry("POD_IP", "<from>"),
        entry("GANGWAY_LEADER_ELECTION_ADVERTISE_ADDRESS", "$(POD_IP):8080"));
    assertThat(env).doesNotContainKeys("KAFKA_BOOTSTRAP_SERVERS", "GANGWAY_TOPIC_CHECKPOINTS");
    // failurePolicy values unset: the operator keeps its own defaults (RecoveryDefaults.STANDARD), nothing to override.
    assertThat(env.keySet()).noneMatch(k -> k.startsWith("GANGWAY_DEFAULT_"));
    assertThat(maps(container.get("env"))).filteredOn(e -> "POD_NAMESPACE".equals(e.get("name"))).singleElement()
        .satisfies(e -> assertThat(map(e, "valueFrom", "fieldRef")).containsEntry("fieldPath", "metadata.namespace"));
    // The Lease holder identity carries the pod IP, where a follower forwards check-ins to the leader.
    assertThat(maps(container.get("env"))).filteredOn(e -> "POD_IP".equals(e.get("name"))).singleElement()
        .satisfies(e -> assertThat(map(e, "valueFrom", "fieldRef")).containsEntry("fieldPath", "status.podIP"));

    // Two replicas: a PodDisruptionBudget keeps one up during drains.
    assertThat(map(m.one("PodDisruptionBudget", "gangway"), "spec")).containsEntry("minAvailable", 1);
    // Metrics Service on 8080; no ServiceMonitor or ClusterTopology by default.
    assertThat(maps(map(m.one("Service", "gangway-metrics"), "spec").get("ports"))).singleElement()
        .satisfies(p -> assertThat(p).containsEntry("port", 8080).containsEntry("targetPort", "http"));
    assertThat(m.ofKind("ServiceMonitor")).isEmpty();
    assertThat(m.ofKind("ClusterTopology")).isEmpty();
  }

  @Test
  void failurePolicyValuesThatAreSetBecomeTheOperatorsDefaultsZeroIncluded() {
    Manifests m = Manifests.parse(Helm.template("--set", "failurePolicy.maxRestarts=0", "--set", "failurePolicy.excludeFailedNodes=false",
        "--set", "failurePolicy.backoff.maxSeconds=60", "--set", "failurePolicy.nodeExclusionSeconds=3600",
        "--set", "placement.waitForTighterSeconds=0", "--set", "placement.headHoldsAfterSeconds=120").assertSucceeded().stdout());
    Map<String, String> env = Manifests.env(Manifests.operatorContainer(m.one("Deployment", "gangway")));
    assertThat(env).contains(entry("GANGWAY_DEFAULT_MAX_RESTARTS", "0"), entry("GANGWAY_DEFAULT_EXCLUDE_FAILED_NODES", "false"),
        entry("GANGWAY_DEFAULT_BACKOFF_MAX_SECONDS", "60"), entry("GANGWAY_DEFAULT_NODE_EXCLUSION_SECONDS", "3600"),
        entry("GANGWAY_DEFAULT_WAIT_FOR_TIGHTER_SECONDS", "0"), entry("GANGWAY_PLACEMENT_HEAD_HOLDS_AFTER_SECONDS", "120"));
    assertThat(env).doesNotContainKeys("GANGWAY_DEFAULT_MAX_INFRASTRUCTURE_RESTARTS", "GANGWAY_DEFAULT_BACKOFF_INITIAL_SECONDS");
  }

  @Test
  void kafkaMessagingSetsBootstrapServersAndTopics() {
    Manifests m = Manifests.parse(Helm.renderScenario("kafka.yaml"));
    Map<String, String> env = Manifests.env(Manifests.operatorContainer(m.one("Deployment", "gangway")));
    assertThat(env).contains(
        entry("GANGWAY_MESSAGING_TYPE", "kafka"),
        entry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka.messaging.svc:9092,kafka-1.kafka.messaging.svc:9092"),
        entry("GANGWAY_TOPIC_CHECKPOINTS", "training.checkpoints"),
        entry("GANGWAY_TOPIC_NODE_HEALTH", "fleet.node-health"),
        entry("GANGWAY_TOPIC_JOB_EVENTS", "training.job-events"));
  }

  @Test
  void serviceMonitorScrapesTheMetricsEndpoint() {
    Manifests m = Manifests.parse(Helm.renderScenario("service-monitor.yaml"));
    Map<String, Object> monitor = m.one("ServiceMonitor", "gangway");
    assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    assertThat(maps(map(monitor, "spec").get("endpoints"))).singleElement().satisfies(e -> assertThat(e)
        .containsEntry("port", "http").containsEntry("path", "/q/metrics").containsEntry("interval", "15s"));
    assertThat(map(monitor, "metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
  }

  @Test
  void singleReplicaHasNoPodDisruptionBudgetAndDefaultTopologyIsRendered() {
    Manifests m = Manifests.parse(Helm.renderScenario("default-topology.yaml"));
    assertThat(m.ofKind("PodDisruptionBudget")).isEmpty();
    Map<String, Object> topology = m.one("ClusterTopology", "default");
    assertThat(topology.get("apiVersion")).isEqualTo("gangway.dev/v1alpha1");
    assertThat(map(topology, "metadata")).doesNotContainKey("namespace");
    assertThat(maps(map(topology, "spec").get("levels"))).extracting(l -> l.get("name"))
        .containsExactly("block", "rack", "nvlink-domain", "host");
    assertThat(map(topology, "spec")).containsEntry("crossBlockBandwidthGBps", 12.5);
    assertThat(Manifests.operatorContainer(m.one("Deployment", "gangway")).get("image"))
        .isEqualTo("ghcr.io/gangway-dev/gangway-operator:0.1.0-rc.1");
  }
}
