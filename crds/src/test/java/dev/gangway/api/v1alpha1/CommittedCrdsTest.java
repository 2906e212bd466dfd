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

  /** Set by the update-crds profile: write the committed CRDs (and the chart's copies) instead of comparing. */
  private static final boolean UPDATE = Boolean.getBoolean("gangway.updateCrds");
  private static final Path CHART_CRDS = COMMITTED.resolve("../charts/gangway/crds");

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    List<Path> generated = yamlFiles(GENERATED);
    assertThat(generated).extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder("trainingjobs.gangway.dev-v1.yml", "clustertopologies.gangway.dev-v1.yml");
    for (Path file : generated) {
      String expected = CrdIntegerRanges.render(Files.readString(file));
      Path committed = COMMITTED.resolve(file.getFileName());
      if (UPDATE) {
        Files.writeString(committed, expected);
        Files.writeString(CHART_CRDS.resolve(file.getFileName()), expected);
      }
      assertThat(committed)
          .as("%s is missing or stale: run `mvn -B -pl crds test -Pupdate-crds` and commit it", committed)
          .exists();
      assertThat(Files.readString(committed))
          .as("%s differs from the CRD generated from the Java types: run `mvn -B -pl crds test -Pupdate-crds` and commit it", committed)
          .isEqualTo(expected);
    }
  }

  @Test
  void everyIntegerOfEverySchemaIsBoundedSoAnOverflowIsRefusedAtApplyTime() throws IOException {
    for (String name : List.of("trainingjobs.gangway.dev-v1.yml", "clustertopologies.gangway.dev-v1.yml")) {
      CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(COMMITTED.resolve(name)), CustomResourceDefinition.class);
      List<String> unbounded = new java.util.ArrayList<>();
      List<String> bounded = new java.util.ArrayList<>();
      crd.getSpec().getVersions().forEach(v -> integers(v.getSchema().getOpenAPIV3Schema(), "", unbounded, bounded));
      assertThat(unbounded).as(name).isEmpty();
      assertThat(bounded.isEmpty()).as(name + " has integers").isEqualTo(name.startsWith("clustertopologies"));
    }
    CustomResourceDefinition tj = Serialization.unmarshal(
        Files.readString(COMMITTED.resolve("trainingjobs.gangway.dev-v1.yml")), CustomResourceDefinition.class);
    JSONSchemaProps spec = tj.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    JSONSchemaProps wait = spec.getProperties().get("failurePolicy").getProperties().get("checkpointWaitSeconds");
    assertThat(wait.getMinimum()).as("the @Min(0) stays").isEqualTo(0.0);
    assertThat(wait.getMaximum()).isEqualTo(2147483647.0);
    JSONSchemaProps container = spec.getProperties().get("template").getProperties().get("spec").getProperties()
        .get("containers").getItems().getSchema();
    assertThat(container.getProperties().get("ports").getItems().getSchema().getProperties().get("containerPort").getMaximum())
        .isEqualTo(2147483647.0);
    assertThat(container.getProperties().get("readinessProbe").getProperties().get("tcpSocket").getProperties().get("port")
        .getMaximum()).as("an IntOrString reads its number into an int").isEqualTo(2147483647.0);
    JSONSchemaProps podSpec = spec.getProperties().get("template").getProperties().get("spec");
    assertThat(podSpec.getProperties().get("activeDeadlineSeconds").getMaximum()).as("a Long field keeps the int64 range")
        .isGreaterThan(9.2e18).isLessThan(9.3e18);
  }

  private static void integers(JSONSchemaProps s, String path, List<String> unbounded, List<String> bounded) {
    if (s == null) {
      return;
    }
    if ("integer".equals(s.getType())) {
      (s.getMaximum() == null || s.getMinimum() == null ? unbounded : bounded).add(path);
    }
    if (s.getProperties() != null) {
      s.getProperties().forEach((k, v) -> integers(v, path + "." + k, unbounded, bounded));
    }
    if (s.getItems() != null) {
      integers(s.getItems().getSchema(), path + "[]", unbounded, bounded);
    }
    if (s.getAdditionalProperties() != null) {
      integers(s.getAdditionalProperties().getSchema(), path + "{}", unbounded, bounded);
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
    assertThat(root.getRequired()).as("a TrainingJob without a spec is refused at apply").contains("spec");
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
