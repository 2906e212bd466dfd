package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gangway's dashboard and alerts against the real thing: the chart installed with helm, the packaged operator run
 * with that release's ServiceAccount token and Deployment environment, the real Prometheus (Debian's package)
 * scraping its /q/metrics and evaluating the chart's alert rules. After a scripted scenario — a gang placed, a
 * rank failing and the gang restarting, two jobs pinned to a node that a fatal health signal then takes away —
 * every dashboard query (read from the ConfigMap the release installed) and every alert expression (rendered
 * from the chart) is evaluated through Prometheus's HTTP API. Alert thresholds are set low through the chart's
 * values, so the alerts the scenario should trip fire within it.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class PrometheusE2eTest {
  private static final String RELEASE = "gangway-prom";
  private static final String SYSTEM = "gangway-prom-system";
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Pattern METRIC = Pattern.compile("\\b(?:gangway|reconciliations)_[a-z_]+\\b");
  /** The thresholds for this scenario, as a platform would set them in values.yaml. */
  private static final List<String> VALUES = List.of("--set", "replicaCount=1",
      "--set", "prometheusRule.alerts.jobStuckPending.seconds=5",
      "--set", "prometheusRule.alerts.restartStorm.restarts=1",
      "--set-json", "prometheusRule.alerts.goodputLow.ratio=1",
      "--set", "prometheusRule.alerts.goodputLow.for=0s",
      "--set", "prometheusRule.alerts.reconcileFailing.for=0s",
      "--set", "prometheusRule.alerts.leaderMissing.for=0s");
  /** What the scenario trips with those thresholds; GangwayLeaderMissing is checked after the operator stops. */
  private static final Set<String> FIRING = Set.of("GangwayJobStuckPending", "GangwayRestartStorm", "GangwayNodeFlaggedBySeveralJobs",
      "GangwayGoodputLow", "GangwayReconcileFailing");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final E2eEnvironment env;
  private final LocalCluster cluster;
  private final Path chart = E2eEnvironment.REPO.resolve("charts/gangway");
  private final Path work = E2eEnvironment.WORK.resolve("prometheus");

  PrometheusE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.cluster();
  }

  @Test
  void everyDashboardQueryAndAlertExpressionReturnsDataAfterPlacingFailingAndRestartingJobs() throws Exception {
    // A rank fails by KWOK's exit-code stage; two 4-GPU jobs are pinned to one 8-GPU node of the small cluster.
    cluster.assume(Capability.RANK_EXIT_CODES);
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    Path binaries = PrometheusServer.binaries();
    long t0 = System.nanoTime();
    Map<String, Long> took = new LinkedHashMap<>();
    // The release's operator replaces the shared one for this test (two leaders of different Leases would both write).
    env.operator().close();
    OperatorProcess operator = null;
    PrometheusServer prometheus = null;
    Kube kube = null;
    Kube quota = null;
    String node = null;
    String refusingPolicy = null;
    try {
      List<String> install = new ArrayList<>(List.of("install", RELEASE, chart.toString(), "-n", SYSTEM, "--create-namespace", "--skip-crds"));
      install.addAll(VALUES);
      HelmCommand.run(cluster, install.toArray(String[]::new)).assertOk();
      operator = startReleaseOperator();
      Path rules = renderAlertRules();
      prometheus = PrometheusServer.start(binaries, work, java.net.URI.create(operator.url()).getAuthority(), rules);
      PrometheusServer p = prometheus;
      await("Prometheus scrapes the leading operator").atMost(WAIT).until(() -> p.query("gangway_leader == 1").size() == 1);
      took.put("install, operator and Prometheus up", ms(t0));

      // --- the scenario ------------------------------------------------------------------------------------------
      long scenario = System.nanoTime();
      kube = Kube.inFreshNamespace(cluster, "prom");
      Kube k = kube;
      kube.apply(Manifests.trainingJob("steady", 2, 8, Manifests.failurePolicy("maxRestarts: 5", 1), ""));
      await("steady runs").atMost(WAIT).untilAsserted(() -> assertThat(k.phase("steady")).as(() -> k.describe("steady")).isEqualTo("Running"));
      // GangwayRestartStorm compares restarts over the last hour: Prometheus must have seen the job before its restart
      // (the gauge refreshes every 10 s), or its first sample is already 1 and the alert rightly stays quiet.
      await("Prometheus has seen steady before its restart").atMost(WAIT)
          .until(() -> p.query("gangway_job_restarts{name=\"steady\"} == 0").size() == 1);
      kube.kubectl("annotate", "pod", "-l", "gangway.dev/job-name=steady,gangway.dev/rank=1", "gangway.dev/e2e-exit-code=1");
      await("steady restarted and runs again").atMost(WAIT).untilAsserted(() -> {
        JsonNode status = k.get("tj", "steady").path("status");
        assertThat(status.path("attempt").asInt()).isEqualTo(2);
        assertThat(status.path("phase").asText()).isEqualTo("Running");
      });
      // Two small jobs pinned to one node; a fatal health signal there restarts both, and both then keep off it.
      Set<String> steadyNodes = new TreeSet<>();
      kube.pods("steady").forEach(pod -> steadyNodes.add(pod.path("spec").path("nodeName").asText()));
      node = cluster.kubectlOk("get", "nodes", "-o", "name").lines().map(n -> n.substring("node/".length()))
          .filter(n -> !steadyNodes.contains(n)).findFirst().orElseThrow();
      String pinned = "      nodeSelector:\n        kubernetes.io/hostname: " + node + "\n";
      for (String job : List.of("pinned-a", "pinned-b")) {
        kube.apply(Manifests.trainingJob(job, 1, 4, Manifests.failurePolicy("maxRestarts: 5", 1), pinned));
      }
      for (String job : List.of("pinned-a", "pinned-b")) {
        await(job + " runs").atMost(WAIT).untilAsserted(() -> assertThat(k.phase(job)).as(() -> k.describe(job)).isEqualTo("Running"));
      }
      assertThat(postNodeHealth(operator, node, "Fatal", "XID 79")).isEqualTo(200);
      String sick = node;
      for (String job : List.of("pinned-a", "pinned-b")) {
        await(job + " keeps off " + sick).atMost(WAIT).untilAsserted(() ->
            assertThat(k.get("tj", job).path("status").path("excludedNodes").toString()).contains(sick));
      }
      // A running job whose namespace then gets a ValidatingAdmissionPolicy refusing Services, and whose headless Service
      // someone deletes: each create of it is refused, so its reconciles fail (AdmissionRefused) and are retried. (Refused
      // as a gang starts, it would be a wait holding nothing, as a quota or LimitRange the ranks break is.)
      quota = Kube.inFreshNamespace(cluster, "prom-refused");
      Kube refusing = quota;
      quota.apply(Manifests.trainingJob("refused", 1, 1, ""));
      await("refused runs").atMost(WAIT).untilAsserted(() ->
          assertThat(refusing.phase("refused")).as(() -> refusing.describe("refused")).isEqualTo("Running"));
      cluster.kubectlWithInput(Manifests.servicesRefused(quota.namespace(), quota.namespace(), "this namespace takes no Services", "Forbidden"),
          "apply", "-f", "-").assertOk();
      refusingPolicy = quota.namespace();
      await("the policy refuses Services").atMost(WAIT).until(() -> cluster.kubectl("create", "service", "clusterip", "probe",
          "--tcp=80", "-n", refusing.namespace(), "--dry-run=server").exitCode() != 0);
      quota.kubectl("delete", "service", "refused");
      await("refused shows why").atMost(WAIT).untilAsserted(() ->
          assertThat(refusing.condition("refused", "ReconcileError").path("reason").asText()).as(() -> refusing.describe("refused"))
              .isEqualTo("AdmissionRefused"));
      took.put("scenario", ms(scenario));

      // --- what Prometheus shows ----------------------------------------------------------------------------------
      long evaluation = System.nanoTime();
      // The fleet gauges refresh every 10 s; wait until Prometheus has scraped the scenario's end.
      await("Prometheus has the scenario's figures").atMost(WAIT).until(() ->
          p.query("max(gangway_node_excluding_jobs) >= 2").size() == 1 && p.query("sum(gangway_jobs{phase=\"Running\"}) >= 1").size() == 1
              && p.query("sum(increase(gangway_recovery_seconds_count[1h])) > 0").size() == 1);

      List<Query> panels = dashboardQueries();
      Map<String, String> alerts = alertExpressions(rules);
      List<String> problems = new ArrayList<>();
      for (Query q : panels) {
        JsonNode result = prometheus.query(q.expr());
        if (result.isEmpty()) {
          problems.add("panel '" + q.name() + "' returned no series: " + q.expr());
        } else if (!hasNumber(result)) {
          problems.add("panel '" + q.name() + "' returned only NaN/Inf: " + q.expr() + " -> " + result);
        }
      }
      Set<String> metrics = new TreeSet<>();
      panels.forEach(q -> metrics.addAll(metricNames(q.expr())));
      alerts.values().forEach(expr -> metrics.addAll(metricNames(expr)));
      for (String metric : metrics) {
        if (prometheus.query("count({__name__=\"" + metric + "\"})").isEmpty()) {
          problems.add("no series of " + metric + " on /q/metrics");
        }
      }
      for (Map.Entry<String, String> alert : alerts.entrySet()) {
        JsonNode result = prometheus.query(alert.getValue());
        if (result.isEmpty() && FIRING.contains(alert.getKey())) {
          // A threshold on a duration (e.g. waited > 5 s) is crossed some seconds after the scenario's last step,
          // and the gauges behind it refresh every 10 s: give it that long, no more.
          String expr = alert.getValue();
          try {
            result = await(alert.getKey() + " fires").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> p.query(expr), r -> !r.isEmpty());
          } catch (org.awaitility.core.ConditionTimeoutException stillQuiet) {
            // Reported with the other problems below.
          }
        }
        boolean fires = !result.isEmpty();
        if (fires != FIRING.contains(alert.getKey())) {
          problems.add(alert.getKey() + (fires ? " fires" : " does not fire") + " after the scenario: " + alert.getValue() + " -> " + result);
        }
      }
      assertThat(problems).as("dashboard queries and alert expressions against the real Prometheus").isEmpty();
      // Prometheus evaluated the chart's rule file itself: every rule healthy, the tripped alerts firing.
      await("Prometheus fires the tripped alerts").atMost(WAIT).untilAsserted(() -> assertThat(firing(p)).containsAll(FIRING));
      for (JsonNode group : prometheus.rules()) {
        for (JsonNode rule : group.path("rules")) {
          assertThat(rule.path("health").asText()).as(rule.path("name").asText() + ": " + rule.path("lastError").asText()).isEqualTo("ok");
        }
      }
      assertThat(firing(prometheus)).doesNotContain("GangwayLeaderMissing");
      took.put("evaluation of " + panels.size() + " panel queries, " + metrics.size() + " metrics, " + alerts.size() + " alerts", ms(evaluation));

      // --- no leader: the operator stops, its series go stale at the next failed scrape -----------------------------
      assertThat(postNodeHealth(operator, node, "Cleared", "repaired")).isEqualTo(200);
      node = null;
      long stop = System.nanoTime();
      operator.close();
      await("GangwayLeaderMissing fires").atMost(WAIT).untilAsserted(() -> {
        assertThat(p.query(alerts.get("GangwayLeaderMissing"))).isNotEmpty();
        assertThat(firing(p)).contains("GangwayLeaderMissing");
      });
      took.put("operator stopped to GangwayLeaderMissing firing", ms(stop));
      took.put("total", ms(t0));
      took.forEach((what, millis) -> System.out.printf("[prometheus-e2e] %s: %d ms%n", what, millis));
    } finally {
      if (node != null && operator != null && operator.isAlive()) {
        postNodeHealth(operator, node, "Cleared", "repaired");
      }
      if (kube != null) {
        kube.deleteNamespace(WAIT);
      }
      if (refusingPolicy != null) {
        cluster.kubectl("delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", refusingPolicy, "--ignore-not-found");
      }
      if (quota != null) {
        quota.deleteNamespace(WAIT);
      }
      if (prometheus != null) {
        prometheus.close();
      }
      if (operator != null && operator.isAlive()) {
        operator.close();
      }
      HelmCommand.run(cluster, "uninstall", RELEASE, "-n", SYSTEM, "--wait", "--timeout=60s");
      cluster.kubectl("delete", "namespace", SYSTEM, "--ignore-not-found", "--wait=false");
      env.restartOperator();
    }
  }

  /** A panel's query, named "panel title / refId". */
  private record Query(String name, String expr) {
  }

  /** The operator as the release's Deployment would run it: its ServiceAccount token and environment. */
  private OperatorProcess startReleaseOperator() {
    Map<String, String> environment = new HashMap<>(ChartDeployment.environment(cluster, SYSTEM, RELEASE));
    environment.put("HOSTNAME", RELEASE + "-0");
    // Pods advertise $(POD_IP):8080; here the process shares 127.0.0.1 and advertises its own port, the default.
    environment.remove("GANGWAY_LEADER_ELECTION_ADVERTISE_ADDRESS");
    return env.startOperator("prometheus-e2e-operator", ChartDeployment.serviceAccountKubeconfig(cluster, SYSTEM, RELEASE), Map.of(),
        environment);
  }

  /** The chart's PrometheusRule, rendered with this test's values, as the rule file Prometheus loads. */
  private Path renderAlertRules() throws IOException {
    List<String> args = new ArrayList<>(List.of("template", RELEASE, chart.toString(), "-n", SYSTEM, "--set", "prometheusRule.enabled=true",
        "--show-only", "templates/prometheusrule.yaml"));
    args.addAll(VALUES);
    JsonNode rule = YAML.readTree(HelmCommand.run(cluster, args.toArray(String[]::new)).assertOk().stdout());
    Files.createDirectories(work);
    Path file = work.resolve("gangway-alerts.rules.yaml");
    YAML.writeValue(file.toFile(), rule.path("spec"));
    return file;
  }

  /** Every target of every panel of the dashboard the release installed (its ConfigMap, as Grafana's sidecar reads it). */
  private List<Query> dashboardQueries() throws IOException {
    JsonNode configMap = JSON.readTree(cluster.kubectlOk("get", "configmap", RELEASE + "-dashboard", "-n", SYSTEM, "-o", "json"));
    assertThat(configMap.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
    JsonNode dashboard = JSON.readTree(configMap.path("data").path("gangway.json").asText());
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(new Query(panel.path("title").asText() + " / " + target.path("refId").asText(), target.path("expr").asText()));
      }
    }
    assertThat(queries).isNotEmpty();
    return queries;
  }

  private static Map<String, String> alertExpressions(Path rules) throws IOException {
    Map<String, String> alerts = new LinkedHashMap<>();
    for (JsonNode group : YAML.readTree(rules.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
      }
    }
    assertThat(alerts).hasSize(6);
    return alerts;
  }

  private static Set<String> firing(PrometheusServer prometheus) {
    Set<String> names = new TreeSet<>();
    for (JsonNode alert : prometheus.alerts()) {
      if ("firing".equals(alert.path("state").asText())) {
        names.add(alert.path("labels").path("alertname").asText());
      }
    }
    return names;
  }

  private static boolean hasNumber(JsonNode result) {
    for (JsonNode series : result) {
      double v = Double.parseDouble(series.path("value").get(1).asText().replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
      if (Double.isFinite(v)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  /** Sent by a health agent granted node-health signals by the release's own ClusterRole. */
  private int postNodeHealth(OperatorProcess operator, String node, String severity, String reason) {
    String body = JSON.createObjectNode().put("node", node).put("severity", severity).put("reason", reason)
        .put("time", Instant.now().toString()).toString();
    try {
      return Intake.post(operator.url(), "/api/v1/node-health", body, Intake.healthAgentToken(cluster, RELEASE + "-node-health-reporter"))
          .statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
