package dev.gangway.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The YAML users apply with `kubectl apply --server-side -f crds/` must be what the Java types generate. */
class CommittedCrdsTest {

  private static final Path GENERATED = Path.of(System.getProperty("gangway.generatedCrds", "target/generated-crds"));
  private static final Path COMMITTED = Path.of(System.getProperty("gangway.committedCrds", "."));

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    List<Path> generated = yamlFiles(GENERATED);
    assertThat(generated).extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder("trainingjobs.gangway.dev-v1.yml", "clustertopologies.gangway.dev-v1.yml");
    for (Path file : generated) {
      Path committed = COMMITTED.resolve(file.getFileName());
      assertThat(committed)
          .as("%s is missing or stale: run `mvn -pl crds process-classes -Pupdate-crds` and commit it", committed)
          .exists();
      assertThat(Files.readString(committed))
          .as("%s differs from the CRD generated from the Java types: run `mvn -pl crds process-classes -Pupdate-crds` and commit it", committed)
          .isEqualTo(Files.readString(file));
    }
  }

  @Test
  void trainingJobCrdCarriesPrinterColumnsDocsAndCelRules() throws IOException {
    String crd = Files.readString(COMMITTED.resolve("trainingjobs.gangway.dev-v1.yml"));
    assertThat(crd).contains("shortNames:\n    - \"tj\"", "status: {}");
    for (String column : List.of("Phase", "Ready", "GPUs", "Restarts", "Age")) {
      assertThat(crd).contains("name: \"" + column + "\"");
    }
    assertThat(crd).contains("self.replicas % self.topology.groupSize == 0", "size(self.template.spec.containers) >= 1",
        "self.spec.template == oldSelf.spec.template");
    assertThat(crd).contains("minimum: 1.0").contains("enum:\n                - \"generic\"");
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
