package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's Grafana dashboard and alerting rules: rendered when they should be, the rules checked and unit-tested
 * with the real promtool (charts/src/test/promtool/alerts-test.yaml), every dashboard query parsed by it.
 */
class MonitoringTest {
  private static final Path WORK = Path.of(System.getProperty("gangway.promtoolWork", "target/promtool")).toAbsolutePath();
  private static final Path PROMTOOL_TESTS = Path.of(System.getProperty("gangway.promtoolTests", "src/test/promtool")).toAbsolutePath();
  private static final String RULE_API = "monitoring.coreos.com/v1/PrometheusRule";
  private static final List<String> ALERTS = List.of("GangwayJobStuckPending", "GangwayRestartStorm", "GangwayNodeFlaggedBySeveralJobs",
      "GangwayGoodputLow", "GangwayReconcileFailing", "GangwayLeaderMissing");

  private static Manifests render(String... args) {
    return Manifests.parse(Helm.template(args).assertSucceeded().stdout());
  }

  @Test
  void thePrometheusRuleIsRenderedWhenTheClusterServesItsApiOrWhenEnabled() {
    assertThat(render().ofKind("PrometheusRule")).as("auto, no monitoring.coreos.com API").isEmpty();
    assertThat(render("--api-versions", RULE_API).ofKind("PrometheusRule")).as("auto, API served").hasSize(1);
    assertThat(render("--api-versions", RULE_API, "--set", "prometheusRule.enabled=false").ofKind("PrometheusRule")).isEmpty();
    assertThat(render("--set", "prometheusRule.enabled=true").ofKind("PrometheusRule")).as("forced on").hasSize(1);
    assertThat(Helm.template("--set", "prometheusRule.enabled=maybe").exitCode()).as("schema: auto, true or false").isNotZero();
  }

  @Test
  void theAlertRulesPassPromtoolCheckAndEveryAlertsUnitTests() throws IOException {
    Path rules = writeRuleFile(WORK.resolve("defaults"), render("--set", "prometheusRule.enabled=true"));
    Promtool.Result check = Promtool.run(rules.getParent(), "check", "rules", rules.getFileName().toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + ALERTS.size() + " rules found");

    Files.copy(PROMTOOL_TESTS.resolve("alerts-test.yaml"), rules.resolveSibling("alerts-test.yaml"), StandardCopyOption.REPLACE_EXISTING);
    Promtool.Result test = Promtool.run(rules.getParent(), "test", "rules", "alerts-test.yaml");
    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
    // Every alert the chart ships has a promtool case.
    String cases = Files.readString(PROMTOOL_TESTS.resolve("alerts-test.yaml"));
    assertThat(ALERTS).allSatisfy(alert -> assertThat(cases).contains("alertname: " + alert));
  }

  @Test
  void thresholdsSeveritiesAndLabelsComeFromValues() {
    Map<String, Object> rule = render("--set", "prometheusRule.enabled=true", "--set-json", "prometheusRule.alerts.goodputLow.ratio=0.5",
        "--set", "prometheusRule.alerts.jobStuckPending.seconds=600", "--set", "prometheusRule.alerts.leaderMissing.severity=page",
        "--set", "prometheusRule.labels.release=kube-prometheus-stack").one("PrometheusRule", "gangway");
    assertThat(Manifests.map(rule, "metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
    Map<String, Map<String, Object>> byName = alerts(rule);
    assertThat(byName.keySet()).containsExactlyElementsOf(ALERTS);
    assertThat(byName.get("GangwayGoodputLow").get("expr")).isEqualTo("gangway_fleet_goodput_ratio < 0.5");
    assertThat((String) byName.get("GangwayJobStuckPending").get("expr")).endsWith("> 600");
    assertThat(Manifests.map(byName.get("GangwayLeaderMissing"), "labels")).containsEntry("severity", "page");
  }

  @Test
  void theDashboardShipsInAConfigMapForGrafanasSidecarWithEveryPanelTheIssueNames() throws IOException {
    Map<String, Object> configMap = render().one("ConfigMap", "gangway-dashboard");
    assertThat(Manifests.map(configMap, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
    String json = (String) Manifests.map(configMap, "data").get("gangway.json");
    JsonNode dashboard = new ObjectMapper().readTree(json);
    assertThat(dashboard).isEqualTo(new ObjectMapper().readTree(Helm.CHART_DIR.resolve("dashboards/gangway.json").toFile()));
    List<String> titles = new ArrayList<>();
    dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    assertThat(titles).contains("Jobs by phase", "Time to running", "Placement quality vs bound", "Restarts by cause", "Recovery time",
        "Goodput", "Waiting gangs", "Nodes flagged", "Reconciles");
    dashboard.path("panels").forEach(p -> assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty());

    assertThat(render("--set", "grafanaDashboard.enabled=false").ofKind("ConfigMap")).isEmpty();
    assertThat(Manifests.namespace(render("--set", "grafanaDashboard.namespace=monitoring").one("ConfigMap", "gangway-dashboard")))
        .isEqualTo("monitoring");
  }

  /** promtool parses each panel query, as a recording rule: a typo in a query fails here, not on someone's screen. */
  @Test
  void everyDashboardQueryIsValidPromql() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(Helm.CHART_DIR.resolve("dashboards/gangway.json").toFile());
    List<Map<String, Object>> records = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("record", "gangway:dashboard:panel" + panel.path("id").asInt() + "_" + target.path("refId").asText());
        record.put("expr", target.path("expr").asText());
        records.add(record);
      }
    }
    Path file = WORK.resolve("dashboard").resolve("dashboard-queries.rules.yaml");
    Files.createDirectories(file.getParent());
    Manifests.YAML.writeValue(file.toFile(), Map.of("groups", List.of(Map.of("name", "dashboard", "rules", records))));
    Promtool.Result check = Promtool.run(file.getParent(), "check", "rules", file.getFileName().toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + records.size() + " rules found");
  }

  /** The rendered PrometheusRule's spec as a plain Prometheus rule file (what promtool and Prometheus read). */
  private static Path writeRuleFile(Path dir, Manifests rendered) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("gangway-alerts.rules.yaml");
    Manifests.YAML.writeValue(file.toFile(), Manifests.map(rendered.one("PrometheusRule", "gangway"), "spec"));
    return file;
  }

  private static Map<String, Map<String, Object>> alerts(Map<String, Object> rule) {
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    for (Map<String, Object> group : Manifests.maps(Manifests.map(rule, "spec").get("groups"))) {
      for (Map<String, Object> r : Manifests.maps(group.get("rules"))) {
        byName.put((String) r.get("alert"), r);
      }
    }
    return byName;
  }
}
