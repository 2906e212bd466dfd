package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * `helm template` of representative configurations against committed golden files. A mismatch prints a
 * line diff; regenerate with `mvn -pl charts test -Dgangway.updateGolden=true` and review the git diff.
 */
class TemplateGoldenTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "-", value = {
      "defaults,          -",
      "watch-namespaces,  watch-namespaces.yaml",
      "kafka,             kafka.yaml",
      "service-monitor,   service-monitor.yaml",
      "taint-nodes,       taint-nodes.yaml",
      "default-topology,  default-topology.yaml",
  })
  void renderedChartMatchesGoldenFile(String scenario, String valuesFile) {
    String rendered = Helm.renderScenario(valuesFile);
    // Every document must be parseable YAML with a kind, whatever the golden file says.
    assertThat(Manifests.parse(rendered).all()).isNotEmpty().allSatisfy(o -> assertThat(o).containsKey("kind"));
    Golden.assertMatches(scenario + ".yaml", rendered);
  }
}
