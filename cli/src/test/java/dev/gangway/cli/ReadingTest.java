package dev.gangway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.cache.UnreadableJobFields;
import org.junit.jupiter.api.Test;

/** The plugin reads TrainingJobs as the operator does. */
class ReadingTest {

  @Test
  void aStoredJobWithAFieldOutOfRangeIsReadWithoutItNotRefused() {
    String stored = "{\"apiVersion\":\"gangway.dev/v1alpha1\",\"kind\":\"TrainingJob\",\"metadata\":{\"name\":\"big\",\"namespace\":\"ml\"},"
        + "\"spec\":{\"replicas\":2,\"failurePolicy\":{\"checkpointWaitSeconds\":2147483648}},\"status\":{\"phase\":\"Failed\"}}";

    TrainingJob read = KubectlGangway.reading().unmarshal(stored, TrainingJob.class);

    assertThat(read.getSpec().getReplicas()).isEqualTo(2);
    assertThat(read.getStatus().getPhase().name()).isEqualTo("Failed");
    assertThat(UnreadableJobFields.of(read)).singleElement().asString().startsWith("spec.failurePolicy.checkpointWaitSeconds: ");
  }
}
