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
  void inPlaceRestartsAreReadWhenSentAndZeroWhenNot() {
    String report = "{\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"%s}";
    assertThat(CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":2")).inPlaceRestarts()).isEqualTo(2);
    assertThat(CheckpointReport.fromJson(report.formatted("")).inPlaceRestarts()).isZero();
    assertThat(CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":null")).inPlaceRestarts()).isZero();
    assertThat(CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":2")).timedAt(Instant.EPOCH).inPlaceRestarts())
        .as("kept when stamped").isEqualTo(2);
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":-1")))
        .hasMessage("field 'inPlaceRestarts' must be at least 0, was -1");
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":\"two\"")))
        .hasMessage("field 'inPlaceRestarts' is missing or not an integer");
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":4294967296")))
        .hasMessage("field 'inPlaceRestarts' is too large: 4294967296");
  }

  @Test
  void theInPlaceRestartTimeIsReadWithARestartAndDroppedWithoutOne() {
    String report = "{\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"%s}";
    CheckpointReport r = CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":1,\"inPlaceRestartTime\":\"2026-11-02T09:41:07Z\""));
    assertThat(r.inPlaceRestartTime()).isEqualTo(Instant.parse("2026-11-02T09:41:07Z"));
    assertThat(r.timedAt(Instant.EPOCH).inPlaceRestartTime()).as("kept when stamped").isEqualTo(r.inPlaceRestartTime());
    assertThat(CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":1")).inPlaceRestartTime()).isNull();
    assertThat(CheckpointReport.fromJson(report.formatted(",\"inPlaceRestartTime\":\"2026-11-02T09:41:07Z\"")).inPlaceRestartTime())
        .as("no restart counted: nothing to date").isNull();
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted(",\"inPlaceRestarts\":1,\"inPlaceRestartTime\":\"yesterday\"")))
        .hasMessage("field 'inPlaceRestartTime' 'yesterday' is not an RFC 3339 UTC time such as 2026-11-02T10:00:00Z");
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
      "two reports in one        | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"}{\"step\":6} | not JSON",
      "a report and garbage      | {\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"} \uFFFD | not JSON",
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

  /**
   * The namespace and name end up in an API server URL (the job is read and patched by them): what could never name
   * an object is refused while parsing. Values are JSON-escaped, so a control character is the string's, not a
   * parse error of the document.
   */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "namespace | ../..", "namespace | ..", "namespace | ML", "namespace | a/b", "namespace | a%2Fb", "namespace | \\u0000",
      "namespace | -x", "namespace | x-", "namespace | a..b", "namespace | ' ml'", "namespace | \\u006d\\u0301",
      "name | ../secrets", "name | llm?watch=true", "name | llm#x", "name | .", "name | \\uff4d\\uff4c"})
  void aNamespaceOrNameThatCouldNeverNameAnObjectIsRefusedWhenParsed(String field, String value) {
    String json = "{\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"}"
        .replace("\"" + field + "\":\"" + ("namespace".equals(field) ? "ml" : "llm") + "\"", "\"" + field + "\":\"" + value + "\"");
    assertThat(json).as("the field was replaced").contains(value);
    assertThatThrownBy(() -> CheckpointReport.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field '" + field + "' is not a Kubernetes name");
  }

  @Test
  void theLongestNamesAndDottedNamesAreAcceptedAndOneCharacterMoreIsNot() {
    String longest = "a".repeat(253);
    String report = "{\"namespace\":\"%s\",\"name\":\"%s\",\"uid\":\"u\",\"attempt\":1,\"step\":5,\"path\":\"/c\"}";
    assertThat(CheckpointReport.fromJson(report.formatted("ml", longest)).name()).isEqualTo(longest);
    assertThat(CheckpointReport.fromJson(report.formatted("ml-2", "llm.v1-3")).job()).isEqualTo(new ResourceRef("ml-2", "llm.v1-3"));
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted("ml", longest + "a")))
        .hasMessageContaining("field 'name' is not a Kubernetes name").hasMessageEndingWith("...");
  }

  @Test
  void nullIsRejected() {
    assertThatThrownBy(() -> CheckpointReport.fromJson(null)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The path becomes the job's status and every rank's environment, and a Kafka message may be 1 MB: an over-long
   * path or uid is refused while parsing, before any API server write could be refused for its size (and retried).
   */
  @Test
  void aPathOrUidLongerThanItsLimitIsRefusedAndOneAtTheLimitIsRead() {
    String report = "{\"namespace\":\"ml\",\"name\":\"llm\",\"uid\":\"%s\",\"attempt\":1,\"step\":5,\"path\":\"%s\"}";
    String longestPath = "/" + "p".repeat(CheckpointReport.MAX_PATH_LENGTH - 1);
    String longestUid = "u".repeat(CheckpointReport.MAX_UID_LENGTH);
    CheckpointReport read = CheckpointReport.fromJson(report.formatted(longestUid, longestPath));
    assertThat(read.path()).isEqualTo(longestPath);
    assertThat(read.uid()).isEqualTo(longestUid);
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted("u", longestPath + "p"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'path' is 4097 characters long, over the limit of 4096");
    assertThatThrownBy(() -> CheckpointReport.fromJson(report.formatted(longestUid + "u", "/c"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'uid' is 129 characters long, over the limit of 128");
  }
}
