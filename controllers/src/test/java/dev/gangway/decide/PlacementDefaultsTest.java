package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlacementDefaultsTest {

  @ParameterizedTest(name = "spec {0}, attempt {1}, {2} GPUs per rank, platform default {3} s: holds out {4} s")
  @CsvSource(nullValues = "unset", value = {
      // Unset: the platform's default on the first attempt, none on a restart.
      "unset, 1, 8, 30, 30",
      "unset, 2, 8, 30, 0",
      "unset, 1, 8, 0,  0",
      "unset, 1, 8, 90, 90",
      // Unset and CPU-only ranks: the GPU links a tighter placement is measured in carry none of their traffic.
      "unset, 1, 0, 30, 0",
      // Set: the job's own, on a restart and for CPU-only ranks too; 0 or less never holds out.
      "45,    1, 8, 30, 45",
      "45,    3, 8, 30, 45",
      "45,    1, 0, 30, 45",
      "0,     1, 8, 30, 0",
      "-5,    1, 8, 30, 0",
  })
  void theJobsOwnValueWinsAndAnUnsetOneTakesThePlatformsDefaultOnlyForAGpuGangsFirstAttempt(Integer seconds, int attempt,
      int gpusPerRank, long platformDefault, long expected) {
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setGpusPerReplica(gpusPerRank);
    if (seconds != null) {
      spec.setTopology(new TopologySpec());
      spec.getTopology().setWaitForTighterSeconds(seconds);
    }
    assertThat(new PlacementDefaults(Duration.ofSeconds(platformDefault)).waitForTighter(spec, attempt)).isEqualTo(Duration.ofSeconds(expected));
  }

  @ParameterizedTest(name = "topology section {0}")
  @CsvSource({"absent", "empty"})
  void aSpecWithoutTheFieldGetsTheDocumentedDefault(String topology) {
    TrainingJobSpec spec = new TrainingJobSpec();
    if (topology.equals("empty")) spec.setTopology(new TopologySpec());
    assertThat(PlacementDefaults.STANDARD.waitForTighter(spec, 1)).isEqualTo(Duration.ofSeconds(TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS));
  }
}
