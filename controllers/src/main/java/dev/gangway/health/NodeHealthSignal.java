package dev.gangway.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.checkin.SignalJson;
import java.time.Instant;
import java.util.Objects;

/**
 * A GPU or NIC health report about one node, as a fleet health agent (DCGM, node-problem-detector,
 * a vendor daemon) publishes it on the {@code node-health} channel.
 *
 * @param reason what was seen, e.g. "XID 79", "ECC double-bit error", "NVLink down", "NIC link down"
 * @param time when the agent saw it
 */
public record NodeHealthSignal(String node, Severity severity, String reason, Instant time) {
  /** A reason is a line for people (kept in the Node's annotation and in events), not a dump. */
  public static final int MAX_REASON_LENGTH = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How bad it is for training running on the node. */
  public enum Severity {
    /** The node cannot run GPU work correctly any more: move gangs off it, place none on it. */
    Fatal,
    /** Worth a log line; Gangway does not act on it. */
    Warning,
    /** The node was repaired or re-checked: forget an earlier Fatal signal. */
    Cleared
  }


  public NodeHealthSignal {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(time, "time");
  }

  /** The JSON {@link #fromJson} reads, e.g. to keep the signal on the Node. */
  public String toJson() {
    ObjectNode json = JSON.createObjectNode().put("node", node).put("severity", severity.name());
    if (reason != null) {
      json.put("reason", reason);
    }
    return json.put("time", time.toString()).toString();
  }

  /**
   * Reads {@code {"node":"gpu-17","severity":"Fatal","reason":"XID 79","time":"2026-11-02T10:00:00Z"}}.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  public static NodeHealthSignal fromJson(String json) {
    JsonNode root = SignalJson.object(json, "node, severity, reason and time");
    String node = SignalJson.objectName(root, "node");
    String severity = SignalJson.text(root, "severity");
    Severity parsed;
    try {
      parsed = Severity.valueOf(severity);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("severity '" + severity + "' is not one of Fatal, Warning, Cleared");
    }
    JsonNode reason = root.get("reason");
    Instant time = SignalJson.time("time", SignalJson.text(root, "time"));
    String because = reason == null || reason.isNull() ? null : reason.asText();
    if (because != null && because.length() > MAX_REASON_LENGTH) {
      throw new IllegalArgumentException("field 'reason' is " + because.length() + " characters long, over the limit of " + MAX_REASON_LENGTH);
    }
    return new NodeHealthSignal(node, parsed, because, time);
  }
}
