package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelmLintTest {

  @Test
  void chartPassesStrictLintWithDefaultValues() {
    Helm.Result lint = Helm.run(java.util.List.of("lint", "--strict", "--kube-version", Helm.KUBE_VERSION, Helm.CHART_DIR.toString())).assertSucceeded();
    assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @Test
  void chartPassesStrictLintInEveryTestedConfiguration() {
    for (String values : new String[] {"watch-namespaces.yaml", "kafka.yaml", "service-monitor.yaml", "taint-nodes.yaml",
        "default-topology.yaml"}) {
      Helm.Result lint = Helm.run(java.util.List.of("lint", "--strict", "--kube-version", Helm.KUBE_VERSION, Helm.CHART_DIR.toString(),
          "--values", Helm.VALUES_DIR.resolve(values).toString())).assertSucceeded();
      assertThat(lint.stdout()).as(values).contains("0 chart(s) failed");
    }
  }
}
