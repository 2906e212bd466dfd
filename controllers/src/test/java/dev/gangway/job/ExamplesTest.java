package dev.gangway.job;

import dev.gangway.act.RankPodBuilder;
import dev.gangway.observe.SpecValidator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every TrainingJob in examples/ is one the operator accepts against the example topology. */
class ExamplesTest {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static {
    SERIALIZATION.registerKubernetesResource(TrainingJob.class);
    SERIALIZATION.registerKubernetesResource(ClusterTopology.class);
  }

  static Stream<Path> examples() throws IOException {
    return Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleJobsAreValid(Path example) throws IOException {
    ClusterTopology topology = SERIALIZATION.unmarshal(Files.readString(EXAMPLES.resolve("cluster-topology.yaml")), ClusterTopology.class);
    List<TrainingJob> jobs = objects(example).stream().filter(TrainingJob.class::isInstance).map(TrainingJob.class::cast).toList();
    // Guards against parsing into generic objects, which would make this loop vacuous.
    assertThat(jobs).hasSize((int) Files.readAllLines(example).stream().filter(l -> l.equals("kind: TrainingJob")).count());
    for (TrainingJob job : jobs) {
      assertThat(job.getSpec().getReplicas()).isPositive();
      assertThat(SpecValidator.validate(job.getSpec(), List.of(topology))).as(example.toString()).isEmpty();
      assertThat(RankPodBuilder.build(job, 0, 1, null).getSpec().getContainers()).isNotEmpty();
    }
  }

  private static List<HasMetadata> objects(Path file) throws IOException {
    Object parsed = SERIALIZATION.unmarshal(Files.readString(file));
    if (parsed instanceof List<?> list) {
      return list.stream().map(HasMetadata.class::cast).toList();
    }
    return List.of((HasMetadata) parsed);
  }
}
