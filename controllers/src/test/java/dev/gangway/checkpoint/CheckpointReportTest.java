package dev.gangway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointReportTest {

  @Test
  void readsAReport() {
    CheckpointReport r = CheckpointReport.fromJson("""
        {"namespace":"ml","name":"llm","uid":"u-1","attempt":2,"step":1200,"path":"/ckpt/step-1200",
         "time":"2026-11-02T10:00:00Z","extra":"ignored"}""");
    assertThat(r).isEqualTo(new CheckpointReport("ml", "llm", "u-1", 2, 1200, "/ckpt/step-1200", Instant.parse("2026-11-02T10:00:00Z")));
    assertThat(r.job()).isEqualTo(new ResourceRef("ml", "llm"));
  }

  @Test
  void timeIsOptionalAndStampedOnReceipt() {
    CheckpointReport r = CheckpointReport.fromJson("{\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"}");
    assertThat(r.time()).isNull();
    Instant now = Instant.parse("2026-11-02T11:00:00Z");
    assertThat(r.timedAt(now).time()).isEqualTo(now);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON                  | {step: 1                                                                          | not JSON",
      "an array                  | [1,2]                                                                             | expected a JSON object",
      "no uid                    | {\"namespace\":\"ml\",\"name\":\"llm\",\"attempt\":1,\"step\":5,\"path\":\"/c\"} | 'uid'",
      "empty path                | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"\"} | 'path'",
      "step as a string          | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":\"5\",\"path\":\"/c\"} | 'step'",
      "fractional step           | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5.5,\"path\":\"/c\"} | 'step'",
      "negative step             | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":-1,\"path\":\"/c\"} | at least 0",
      "attempt 0                 | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":0,\"step\":5,\"path\":\"/c\"} | at least 1",
      "bad time                  | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\",\"time\":\"yesterday\"} | 'time'"})
  void rejectsBadReportsNamingTheField(String intent, String json, String message) {
    assertThatThrownBy(() -> CheckpointReport.fromJson(json)).as(intent).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void nullIsRejected() {
    assertThatThrownBy(() -> CheckpointReport.fromJson(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
