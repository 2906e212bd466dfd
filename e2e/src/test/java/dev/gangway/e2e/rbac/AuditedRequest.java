package dev.gangway.e2e.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request one identity made itself (not through impersonation), as the kube-apiserver's audit log
 * recorded it at ResponseComplete, in RBAC's terms.
 *
 * @param resource with its subresource, as RBAC writes it: {@code pods}, {@code pods/log}
 * @param namespace null for a cluster-scoped resource or a request across every namespace
 * @param code the HTTP status the API server answered
 * @param forbidden whether RBAC refused it (the audit annotation {@code authorization.k8s.io/decision: forbid});
 *     a 403 from admission (an exceeded quota, a terminating namespace) is not
 */
public record AuditedRequest(String verb, String group, String resource, String namespace, String name, int code, boolean forbidden) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Refused by RBAC: the grant was missing. */
  public boolean refused() {
    return forbidden;
  }

  @Override
  public String toString() {
    return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (name == null ? "" : " " + name)
        + (namespace == null ? " (cluster-wide)" : " in " + namespace) + " -> " + code + (forbidden ? " (RBAC: forbid)" : "");
  }

  /** The requests {@code user} sent under its own name, from audit log lines (JSON, one event a line). */
  public static List<AuditedRequest> of(List<String> lines, String user) {
    List<AuditedRequest> requests = new ArrayList<>();
    for (String line : lines) {
      JsonNode e;
      try {
        e = JSON.readTree(line);
      } catch (IOException ex) {
        continue; // a line cut short by a stopped apiserver
      }
      if (e == null || !"ResponseComplete".equals(e.path("stage").asText()) || !user.equals(e.path("user").path("username").asText())
          || e.has("impersonatedUser")) {
        continue;
      }
      JsonNode ref = e.path("objectRef");
      if (ref.isMissingNode()) {
        continue; // a non-resource URL (/version, /apis): granted to every authenticated user by the default roles
      }
      String resource = ref.path("resource").asText() + (ref.hasNonNull("subresource") ? "/" + ref.path("subresource").asText() : "");
      requests.add(new AuditedRequest(e.path("verb").asText(), ref.path("apiGroup").asText(""), resource,
          ref.path("namespace").asText(null), ref.path("name").asText(null), e.path("responseStatus").path("code").asInt(0),
          "forbid".equals(e.path("annotations").path("authorization.k8s.io/decision").asText())));
    }
    return requests;
  }

  public static List<AuditedRequest> read(Path auditLog, String user) {
    try {
      return of(Files.readAllLines(auditLog), user);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
