package dev.gangway.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.events.JobCloudEvent.Type;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CloudEventJsonTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T = Instant.parse("2026-11-02T10:00:00Z");

  static TrainingJob job() {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace("ml").withName("llm").withUid("u-1").build());
    return job;
  }

  static JsonNode render(JobCloudEvent e) throws Exception {
    return JSON.readTree(JobCloudEventJson.toJson(e));
  }

  @ParameterizedTest
  @EnumSource(Type.class)
  void everyEventCarriesTheRequiredCloudEventsAttributes(Type type) throws Exception {
    JsonNode e = render(JobCloudEvent.of(type, job(), 2, T));
    assertThat(e.path("specversion").asText()).isEqualTo("1.0");
    assertThat(e.path("id").asText()).isNotBlank();
    assertThat(e.path("source").asText()).isEqualTo("/apis/gangway.dev/v1alpha1/namespaces/ml/trainingjobs/llm");
    assertThat(e.path("type").asText()).startsWith("dev.gangway.trainingjob.").isEqualTo("dev.gangway.trainingjob." + type.wireName());
    assertThat(e.path("subject").asText()).isEqualTo("attempts/2");
    assertThat(e.path("time").asText()).isEqualTo("2026-11-02T10:00:00Z");
    assertThat(e.path("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(e.path("data").path("job").path("name").asText()).isEqualTo("llm");
    assertThat(e.path("data").path("attempt").asInt()).isEqualTo(2);
  }

  @Test
  void typesAreTheDocumentedOnes() {
    assertThat(Arrays.stream(Type.values()).map(Type::wireName))
        .containsExactly("admitted", "placed", "running", "rank-failed", "restarted-in-place", "restarting", "resumed", "succeeded", "failed");
  }

  @Test
  void aRankFailureCarriesRankNodeReasonAndMessage() throws Exception {
    JsonNode e = render(JobCloudEvent.of(Type.RankFailed, job(), 3, T).withRank(5, "gpu-9").withReason("NodeLost", "node deleted"));
    assertThat(e.path("subject").asText()).isEqualTo("attempts/3/ranks/5");
    JsonNode data = e.path("data");
    assertThat(data.path("rank").asInt()).isEqualTo(5);
    assertThat(data.path("node").asText()).isEqualTo("gpu-9");
    assertThat(data.path("reason").asText()).isEqualTo("NodeLost");
    assertThat(data.path("message").asText()).isEqualTo("node deleted");
    assertThat(data.has("checkpoint")).isFalse();
  }

  @Test
  void aRestartCarriesTheCheckpoint() throws Exception {
    JsonNode e = render(JobCloudEvent.of(Type.Restarting, job(), 3, T).withCheckpoint(1200L, "/ckpt/step-1200"));
    assertThat(e.path("data").path("checkpoint").path("step").asLong()).isEqualTo(1200);
    assertThat(e.path("data").path("checkpoint").path("path").asText()).isEqualTo("/ckpt/step-1200");
  }

  @Test
  void idsAreStableForTheSameHappeningAndDifferOtherwise() throws Exception {
    String a = render(JobCloudEvent.of(Type.Running, job(), 2, T)).path("id").asText();
    String again = render(JobCloudEvent.of(Type.Running, job(), 2, T.plusSeconds(5))).path("id").asText();
    String nextAttempt = render(JobCloudEvent.of(Type.Running, job(), 3, T)).path("id").asText();
    String otherRank = render(JobCloudEvent.of(Type.RankFailed, job(), 2, T).withRank(1, "n")).path("id").asText();
    String otherRank2 = render(JobCloudEvent.of(Type.RankFailed, job(), 2, T).withRank(2, "n")).path("id").asText();
    assertThat(a).isEqualTo(again);
    assertThat(a).isNotEqualTo(nextAttempt);
    assertThat(otherRank).isNotEqualTo(otherRank2);
  }

  @Test
  void withoutAUidIdsAreRandom() throws Exception {
    TrainingJob job = job();
    job.getMetadata().setUid(null);
    assertThat(render(JobCloudEvent.of(Type.Admitted, job, 1, T)).path("id").asText())
        .isNotEqualTo(render(JobCloudEvent.of(Type.Admitted, job, 1, T)).path("id").asText());
  }
}
