package dev.gangway.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A GPU or NIC health report about one node, as a fleet health agent (DCGM, node-problem-detector,
 * a vendor daemon) publishes it on the {@code node-health} channel.
 *
 * @param reason what was seen, e.g. "XID 79", "ECC double-bit error", "NVLink down", "NIC link down"
 * @param time when the agent saw it
 */
public record NodeHealthSignal(String node, Severity severity, String reason, Instant time) {

  /** How bad it is for training running on the node. */
  public enum Severity {
    /** The node cannot run GPU work correctly any more: move gangs off it, place none on it. */
    Fatal,
    /** Worth a log line; Gangway does not act on it. */
    Warning,
    /** The node was repaired or re-checked: forget an earlier Fatal signal. */
    Cleared
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public NodeHealthSignal {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(time, "time");
  }

  /**
   * Reads {@code {"node":"gpu-17","severity":"Fatal","reason":"XID 79","time":"2026-11-02T10:00:00Z"}}.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  public static NodeHealthSignal fromJson(String json) {
    JsonNode root;
    try {
      root = json == null ? null : JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object with node, severity, reason and time");
    }
    String node = text(root, "node");
    String severity = text(root, "severity");
    Severity parsed;
    try {
      parsed = Severity.valueOf(severity);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("severity '" + severity + "' is not one of Fatal, Warning, Cleared");
    }
    JsonNode reason = root.get("reason");
    String time = text(root, "time");
    try {
      return new NodeHealthSignal(node, parsed, reason == null || reason.isNull() ? null : reason.asText(), Instant.parse(time));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("time '" + time + "' is not an RFC 3339 UTC time such as 2026-11-02T10:00:00Z");
    }
  }

  private static String text(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not a non-empty string");
    }
    return value.asText();
  }
}
