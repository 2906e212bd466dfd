package dev.gangway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeHealthSignalTest {

  @Test
  void readsASignal() {
    NodeHealthSignal s = NodeHealthSignal.fromJson(
        "{\"node\":\"gpu-17\",\"severity\":\"Fatal\",\"reason\":\"XID 79\",\"time\":\"2026-11-02T10:00:00Z\",\"gpu\":3}");
    assertThat(s).isEqualTo(new NodeHealthSignal("gpu-17", NodeHealthSignal.Severity.Fatal, "XID 79", Instant.parse("2026-11-02T10:00:00Z")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "plain text  | XID 79 on gpu-17                                                                 | not JSON",
      "no node     | {\"severity\":\"Fatal\",\"time\":\"2026-11-02T10:00:00Z\"}                       | 'node'",
      "bad level   | {\"node\":\"gpu-17\",\"severity\":\"fatal!\",\"time\":\"2026-11-02T10:00:00Z\"}  | not one of Fatal, Warning, Cleared",
      "no time     | {\"node\":\"gpu-17\",\"severity\":\"Fatal\"}                                        | 'time'",
      "bad time    | {\"node\":\"gpu-17\",\"severity\":\"Fatal\",\"time\":\"10:00\"}                   | RFC 3339",
      "number node | {\"node\":17,\"severity\":\"Fatal\",\"time\":\"2026-11-02T10:00:00Z\"}              | 'node'",
      "path node   | {\"node\":\"../..\",\"severity\":\"Fatal\",\"time\":\"2026-11-02T10:00:00Z\"}          | field 'node' is not a Kubernetes name",
      "query node  | {\"node\":\"gpu-1?dryRun=All\",\"severity\":\"Fatal\",\"time\":\"2026-11-02T10:00:00Z\"} | field 'node' is not a Kubernetes name",
      "upper node  | {\"node\":\"GPU-17\",\"severity\":\"Fatal\",\"time\":\"2026-11-02T10:00:00Z\"}         | field 'node' is not a Kubernetes name"})
  void rejectsBadSignalsNamingTheProblem(String intent, String json, String message) {
    assertThatThrownBy(() -> NodeHealthSignal.fromJson(json)).as(intent).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  /** The reason is kept in the Node's annotation (256 KiB for all of them): a Kafka message of 1 MB must not reach it. */
  @Test
  void aReasonLongerThanTheLimitIsRefusedAndOneAtTheLimitIsRead() {
    String signal = "{\"node\":\"gpu-17\",\"severity\":\"Fatal\",\"reason\":\"%s\",\"time\":\"2026-11-02T10:00:00Z\"}";
    String longest = "x".repeat(NodeHealthSignal.MAX_REASON_LENGTH);
    assertThat(NodeHealthSignal.fromJson(signal.formatted(longest)).reason()).isEqualTo(longest);
    assertThatThrownBy(() -> NodeHealthSignal.fromJson(signal.formatted(longest + "x"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'reason' is 1025 characters long, over the limit of 1024");
  }
}
