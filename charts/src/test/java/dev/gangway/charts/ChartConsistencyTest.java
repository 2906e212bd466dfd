package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The chart ships the same CRDs and the same version as the rest of the build. */
class ChartConsistencyTest {

  private static final Path PROJECT_CRDS = Helm.ROOT_DIR.resolve("crds");
  private static final Path CHART_CRDS = Helm.CHART_DIR.resolve("crds");

  @Test
  void chartCrdsAreByteIdenticalToTheProjectCrds() throws IOException {
    List<String> project = ymlFiles(PROJECT_CRDS);
    assertThat(project).as("CRD YAML in %s", PROJECT_CRDS)
        .contains("trainingjobs.gangway.dev-v1.yml", "clustertopologies.gangway.dev-v1.yml");
    assertThat(ymlFiles(CHART_CRDS)).as("the chart must ship exactly the project's CRDs")
        .containsExactlyElementsOf(project);
    for (String file : project) {
      assertThat(Files.mismatch(PROJECT_CRDS.resolve(file), CHART_CRDS.resolve(file)))
          .as("charts/gangway/crds/%s differs from crds/%s: run `cp crds/*.yml charts/gangway/crds/` and commit", file, file)
          .isEqualTo(-1L);
    }
  }

  @Test
  void chartVersionAndAppVersionEqualTheMavenVersionWithoutSnapshot() throws IOException {
    String mavenVersion = System.getProperty("gangway.projectVersion");
    assertThat(mavenVersion).as("system property gangway.projectVersion (set by charts/pom.xml)").isNotBlank();
    String release = mavenVersion.replaceFirst("-SNAPSHOT$", "");

    Map<?, ?> chart = Manifests.YAML.readValue(Helm.CHART_DIR.resolve("Chart.yaml").toFile(), Map.class);
    assertThat(chart.get("apiVersion")).isEqualTo("v2");
    assertThat(chart.get("name")).isEqualTo("gangway");
    assertThat(String.valueOf(chart.get("version")))
        .as("charts/gangway/Chart.yaml version must follow the Maven version %s", mavenVersion).isEqualTo(release);
    assertThat(String.valueOf(chart.get("appVersion")))
        .as("charts/gangway/Chart.yaml appVersion (the default image tag) must equal the chart version").isEqualTo(release);
  }

  /**
   * `helm show crds` prints the CRD files one after another without a `---` between them, so
   * `helm show crds | kubectl apply -f -` reads one document and applies only the last CRD. The docs
   * must therefore apply the chart's crds/ directory instead.
   */
  @Test
  void docsNeverPipeHelmShowCrdsWhileItsOutputIsOneDocument() throws IOException {
    String shown = Helm.run(List.of("show", "crds", Helm.CHART_DIR.toString())).assertSucceeded().stdout();
    int documents;
    try (var it = Manifests.YAML.readerFor(Map.class).readValues(shown)) {
      documents = it.readAll().size();
    }
    if (documents == ymlFiles(CHART_CRDS).size()) {
      return; // a Helm that separates the files: piping would be fine
    }
    for (Path doc : List.of(Helm.CHART_DIR.resolve("README.md"), Helm.CHART_DIR.resolve("templates/NOTES.txt"))) {
      assertThat(Files.readAllLines(doc)).as("commands in %s", doc)
          .noneMatch(line -> line.strip().startsWith("helm show crds") && line.contains("| kubectl apply"));
    }
  }

  private static List<String> ymlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml")).sorted().toList();
    }
  }
}
