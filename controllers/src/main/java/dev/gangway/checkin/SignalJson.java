package dev.gangway.checkin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads the JSON that checkpoint reports and node-health signals arrive as (on a channel or over
 * HTTP). Every failure is an {@link IllegalArgumentException} naming the field, which the HTTP door
 * returns as a 400 and the channel consumers log.
 */
public final class SignalJson {
  // One document per message: '{...}{...}' or '{...} garbage' is malformed, not its first object.
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private SignalJson() {
  }

  /** @param expected what the object should hold, for the error message */
  public static JsonNode object(String json, String expected) {
    JsonNode root;
    try {
      root = json == null ? null : JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object with " + expected);
    }
    return root;
  }

  public static String text(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not a non-empty string");
    }
    return value.asText();
  }

  /**
   * As {@link #text}, at most {@code maxLength} characters. What a check-in carries ends up in an object of the API
   * server (a job's status, a Node's annotation, a pod's environment): a Kafka message may be 1 MB where the HTTP door
   * stops at 64 KiB, and an over-long value must be refused here, not by the API server on every retry.
   */
  public static String text(JsonNode root, String field, int maxLength) {
    String text = text(root, field);
    if (text.length() > maxLength) {
      throw new IllegalArgumentException("field '" + field + "' is " + text.length() + " characters long, over the limit of " + maxLength);
    }
    return text;
  }

  /**
   * A field naming a Kubernetes object or namespace (an RFC 1123 subdomain): anything else, such as a
   * path like "../..", could never name one, and must not reach a URL of the API server.
   */
  public static String objectName(JsonNode root, String field) {
    String name = text(root, field);
    if (name.length() > 253 || !name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.contains("..")) {
      throw new IllegalArgumentException("field '" + field + "' is not a Kubernetes name (lower-case letters, digits, '-' and '.'): "
          + (name.length() > 64 ? name.substring(0, 64) + "..." : name));
    }
    return name;
  }

  public static long integer(JsonNode root, String field, long min) {
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

  public static Instant time(String field, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field '" + field + "' '" + value + "' is not an RFC 3339 UTC time such as 2026-11-02T10:00:00Z");
    }
  }
}
