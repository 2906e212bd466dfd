package dev.gangway.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * "Attempt {@code attempt} of job {@code namespace/name} (uid {@code uid}) finished writing the
 * checkpoint of step {@code step} at {@code path}". Sent by the training code, only after the save
 * is complete (see docs/checkpoint-contract.md).
 *
 * @param time when the save completed; null when the sender did not say
 */
public record CheckpointReport(String namespace, String name, String uid, int attempt, long step, String path, Instant time) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public CheckpointReport {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(path, "path");
  }

  public ResourceRef job() {
    return new ResourceRef(namespace, name);
  }

  /** The same report, stamped with {@code time} when it carries none. */
  public CheckpointReport timedAt(Instant fallback) {
    return time != null ? this : new CheckpointReport(namespace, name, uid, attempt, step, path, fallback);
  }

  /**
   * Reads {@code {"namespace":"ml","name":"llm","uid":"…","attempt":2,"step":1200,"path":"/ckpt/step-1200",
   * "time":"2026-11-02T10:00:00Z"}}; {@code time} is optional, other fields are ignored.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  public static CheckpointReport fromJson(String json) {
    JsonNode root;
    try {
      root = json == null ? null : JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object with namespace, name, uid, attempt, step and path");
    }
    long attempt = integer(root, "attempt", 1);
    if (attempt > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("field 'attempt' is too large: " + attempt);
    }
    return new CheckpointReport(text(root, "namespace"), text(root, "name"), text(root, "uid"), (int) attempt,
        integer(root, "step", 0), text(root, "path"), optionalTime(root));
  }

  static String text(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not a non-empty string");
    }
    return value.asText();
  }

  static long integer(JsonNode root, String field, long min) {
    JsonNode value = root.get(field);
    if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not an integer");
    }
    long n = value.asLong();
    if (n < min) {
      throw new IllegalArgumentException("field '" + field + "' must be at least " + min + ", was " + n);
    }
    return n;
  }

  private static Instant optionalTime(JsonNode root) {
    JsonNode value = root.get("time");
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field 'time' '" + value.asText() + "' is not an RFC 3339 UTC time such as 2026-11-02T10:00:00Z");
    }
  }
}
