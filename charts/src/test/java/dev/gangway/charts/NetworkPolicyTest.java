package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who the chart's NetworkPolicy lets reach the operator's port: rank pods, the other replicas, extraFrom. */
class NetworkPolicyTest {

  @Test
  void byDefaultRankPodsOfEveryNamespaceTheReplicasAndPrometheusReachTheHttpPortOnly() {
    Map<String, Object> spec = spec(Manifests.parse(Helm.renderScenario(null)));
    assertThat(Manifests.map(spec, "podSelector").toString()).contains("app.kubernetes.io/name=gangway", "app.kubernetes.io/instance=gangway");
    assertThat(spec.get("policyTypes")).isEqualTo(List.of("Ingress"));
    Map<String, Object> rule = Manifests.maps(spec.get("ingress")).get(0);
    assertThat(Manifests.maps(rule.get("ports"))).singleElement().isEqualTo(Map.of("port", "http", "protocol", "TCP"));
    List<Map<String, Object>> from = Manifests.maps(rule.get("from"));
    assertThat(from).hasSize(3);
    assertThat(from.get(0).toString()).contains("key=gangway.dev/job-name", "operator=Exists", "namespaceSelector={}");
    assertThat(from.get(1).toString()).contains("app.kubernetes.io/instance=gangway").doesNotContain("namespaceSelector");
    assertThat(from.get(2).toString()).contains("app.kubernetes.io/name=prometheus");
  }

  @Test
  void withWatchNamespacesOnlyTheirRankPodsAreAdmitted() {
    Map<String, Object> spec = spec(Manifests.parse(Helm.template("--set", "watchNamespaces={team-a,team-b}", "--set",
        "networkPolicy.extraFrom=null").assertSucceeded().stdout()));
    List<Map<String, Object>> from = Manifests.maps(Manifests.maps(spec.get("ingress")).get(0).get("from"));
    assertThat(from).hasSize(2);
    assertThat(from.get(0).toString()).contains("key=kubernetes.io/metadata.name", "operator=In", "values=[team-a, team-b]");
  }

  @Test
  void itCanBeSwitchedOff() {
    assertThat(Manifests.parse(Helm.template("--set", "networkPolicy.enabled=false").assertSucceeded().stdout()).ofKind("NetworkPolicy"))
        .isEmpty();
  }

  private static Map<String, Object> spec(Manifests m) {
    return Manifests.map(m.one("NetworkPolicy", "gangway"), "spec");
  }
}
