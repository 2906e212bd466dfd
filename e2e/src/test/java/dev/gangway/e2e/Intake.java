package dev.gangway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The operator's check-in doors as their senders use them: a POST with {@code Authorization: Bearer}
 * and a ServiceAccount token that this cluster's API server issued for Gangway's audience — bound to
 * a rank pod (what the kubelet projects into it) or of a health agent granted node-health signals.
 */
public final class Intake {
  public static final String AUDIENCE = "gangway.dev/intake";
  /** The health agent's ServiceAccount, bound to the chart's node-health-reporter ClusterRole. */
  public static final String AGENT_NAMESPACE = "default";
  public static final String AGENT = "gangway-e2e-health-agent";
  private static final String RELEASE = "gangway-e2e";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Intake() {
  }

  /** @param token the bearer token; null sends none */
  public static HttpResponse<String> post(String baseUrl, String path, String body, String token) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A node-health signal as a health agent sends it ({@code severity} Fatal, Warning or Cleared); returns the HTTP status. */
  public static int postNodeHealth(String baseUrl, String node, String severity, String reason, String token)
      throws IOException, InterruptedException {
    String body = JSON.createObjectNode().put("node", node).put("severity", severity).put("reason", reason)
        .put("time", java.time.Instant.now().toString()).toString();
    return post(baseUrl, "/api/v1/node-health", body, token).statusCode();
  }

  /**
   * A token bound to the pod, of its ServiceAccount, for Gangway's audience: what Gangway projects into a rank.
   *
   * @throws IllegalStateException when the API server issues none (e.g. the pod is gone)
   */
  public static String podToken(ClusterUnderTest cluster, String namespace, String pod) {
    Command.Result account = cluster.kubectl("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.spec.serviceAccountName}");
    Command.Result token = account.exitCode() != 0 ? account : cluster.kubectl("create", "token",
        account.stdout().isBlank() ? "default" : account.stdout().strip(), "-n", namespace, "--audience", AUDIENCE,
        "--bound-object-kind", "Pod", "--bound-object-name", pod, "--duration", "1h");
    if (token.exitCode() != 0) {
      throw new IllegalStateException("no token for pod " + namespace + "/" + pod + ": " + token.stderr().strip());
    }
    return token.stdout().strip();
  }

  /** The token of one of the job's live rank pods (of its newest attempt). */
  public static String rankToken(ClusterUnderTest cluster, String namespace, String job) {
    JsonNode pods;
    try {
      pods = JSON.readTree(cluster.kubectlOk("get", "pods", "-n", namespace, "-l", "gangway.dev/job-name=" + job, "-o", "json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<JsonNode> live = new ArrayList<>();
    pods.path("items").forEach(p -> {
      if (p.path("metadata").path("deletionTimestamp").isMissingNode()) {
        live.add(p);
      }
    });
    JsonNode newest = live.stream().max(Comparator.comparingInt(p -> p.path("metadata").path("labels").path("gangway.dev/attempt").asInt()))
        .orElseThrow(() -> new IllegalStateException("no live pod of job " + namespace + "/" + job));
    return podToken(cluster, namespace, newest.path("metadata").path("name").asText());
  }

  /**
   * A token of the health agent, granted node-health signals through the chart's own
   * node-health-reporter ClusterRole (rendered with helm template and applied, then bound).
   */
  public static synchronized String healthAgentToken(ClusterUnderTest cluster) {
    String role = RELEASE + "-node-health-reporter";
    if (cluster.kubectl("get", "clusterrole", role).exitCode() != 0) {
      String rendered = HelmCommand.run(cluster, "template", RELEASE, E2eEnvironment.REPO.resolve("charts/gangway").toString(),
          "--show-only", "templates/node-health-reporter.yaml").assertOk().stdout();
      cluster.kubectlWithInput(rendered, "apply", "-f", "-").assertOk();
    }
    return healthAgentToken(cluster, role);
  }

  /** A token of the health agent, granted node-health signals through the named ClusterRole. */
  public static synchronized String healthAgentToken(ClusterUnderTest cluster, String clusterRole) {
    if (cluster.kubectl("get", "serviceaccount", AGENT, "-n", AGENT_NAMESPACE).exitCode() != 0) {
      cluster.kubectlOk("create", "serviceaccount", AGENT, "-n", AGENT_NAMESPACE);
    }
    String binding = AGENT + "-" + clusterRole;
    if (cluster.kubectl("get", "clusterrolebinding", binding).exitCode() != 0) {
      cluster.kubectlOk("create", "clusterrolebinding", binding, "--clusterrole=" + clusterRole,
          "--serviceaccount=" + AGENT_NAMESPACE + ":" + AGENT);
    }
    return cluster.kubectlOk("create", "token", AGENT, "-n", AGENT_NAMESPACE, "--audience", AUDIENCE, "--duration", "1h").strip();
  }
}
