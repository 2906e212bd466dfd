package dev.gangway.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One request in the kube-apiserver's audit log (JSON lines, stage ResponseComplete): who sent
 * it, when it was received, what it did to which object, and the answer.
 */
public record AuditEvent(Instant received, Instant completed, String user, String userAgent, String verb, String resource,
                         String subresource, String namespace, String name, int code) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");
  /** "Created" to ask a question (may I? who am I? is this token good?): nothing is stored, nothing changes. */
  private static final Set<String> QUESTIONS = Set.of("selfsubjectrulesreviews", "selfsubjectaccessreviews", "subjectaccessreviews",
      "localsubjectaccessreviews", "selfsubjectreviews", "tokenreviews");

  /** A request that changes what the API server stores. */
  public boolean write() {
    return WRITES.contains(verb) && !QUESTIONS.contains(resource);
  }

  public boolean succeeded() {
    return code >= 200 && code < 300;
  }

  public String describe() {
    return verb + " " + resource + (subresource == null ? "" : "/" + subresource) + " " + (namespace == null ? "" : namespace + "/")
        + (name == null ? "" : name) + " by " + user + " (" + userAgent + ") received " + received + ", answered " + code;
  }

  /** The ResponseComplete events of an audit log; other stages and unreadable lines are skipped. */
  public static List<AuditEvent> parse(List<String> lines) {
    List<AuditEvent> events = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode e;
      try {
        e = JSON.readTree(line);
      } catch (IOException ex) {
        continue; // a line cut short by a killed apiserver
      }
      if (!"ResponseComplete".equals(e.path("stage").asText())) {
        continue;
      }
      JsonNode ref = e.path("objectRef");
      events.add(new AuditEvent(Instant.parse(e.path("requestReceivedTimestamp").asText()), Instant.parse(e.path("stageTimestamp").asText()),
          e.path("user").path("username").asText(), e.path("userAgent").asText(), e.path("verb").asText(), ref.path("resource").asText(null),
          ref.path("subresource").asText(null), ref.path("namespace").asText(null), ref.path("name").asText(null),
          e.path("responseStatus").path("code").asInt(0)));
    }
    return events;
  }

  public static List<AuditEvent> read(java.nio.file.Path file) {
    try {
      return parse(java.nio.file.Files.readAllLines(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
