package dev.gangway.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
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
  void trainingJobCrdCarriesShortNamePrinterColumnsStatusAndCelRules() throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(
        Files.readString(COMMITTED.resolve("trainingjobs.gangway.dev-v1.yml")), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("tj");
    CustomResourceDefinitionVersion v1alpha1 = crd.getSpec().getVersions().get(0);
    assertThat(v1alpha1.getSubresources().getStatus()).isNotNull();
    assertThat(v1alpha1.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactlyInAnyOrder("Phase", "Ready", "GPUs", "Restarts", "Goodput", "Age");

    JSONSchemaProps root = v1alpha1.getSchema().getOpenAPIV3Schema();
    JSONSchemaProps spec = root.getProperties().get("spec");
    assertThat(spec.getRequired()).contains("replicas", "template");
    assertThat(spec.getProperties().get("replicas").getMinimum()).isEqualTo(1.0);
    assertThat(spec.getProperties().get("framework").getEnum()).hasSize(4);
    assertThat(spec.getProperties().get("replicas").getDescription()).isNotBlank();
    assertThat(spec.getXKubernetesValidations()).extracting(r -> r.getRule())
        .anyMatch(r -> r.contains("self.replicas % self.topology.groupSize == 0"))
        .anyMatch(r -> r.contains("size(self.template.spec.containers) >= 1"));
    assertThat(root.getXKubernetesValidations()).extracting(r -> r.getRule())
        .anyMatch(r -> r.contains("self.spec.template == oldSelf.spec.template"));
    assertThat(root.getXKubernetesValidations()).allSatisfy(r -> assertThat(r.getMessage()).containsAnyOf("spec.", "metadata."));
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
