package dev.gangway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.pod.JobNames;
import dev.gangway.signal.IntakeToken;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * Reports a checkpoint from a shell the way a rank does: through the operator's intake, with a
 * token for Gangway's audience bound to one of the job's live rank pods. The API server issues that
 * token only to someone allowed to create tokens for the pod's ServiceAccount
 * ({@code create serviceaccounts/token}), so the shell gets no door the job's own ranks lack.
 */
final class CheckpointReporter {
  /** Short: it is used once, now. */
  private static final long TOKEN_SECONDS = 600;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** What the intake answered: its HTTP status and message. */
  record Answer(int status, String message, String pod, int attempt) {
    boolean stored() {
      return status == 200;
    }
  }

  private CheckpointReporter() {
  }

  static Answer report(KubernetesClient client, String namespace, String name, long step, String path, URI intake)
      throws IOException, InterruptedException {
    TrainingJob job = client.resources(TrainingJob.class).inNamespace(namespace).withName(name).get();
    if (job == null) {
      throw new IllegalArgumentException("trainingjob " + namespace + "/" + name + " not found (kubectl gangway get -A lists them all)");
    }
    int attempt = job.getStatus() == null || job.getStatus().getAttempt() == null ? 0 : job.getStatus().getAttempt();
    Pod rank = client.pods().inNamespace(namespace).withLabel(JobNames.LABEL_JOB, name).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> String.valueOf(attempt).equals(p.getMetadata().getLabels().get(JobNames.LABEL_ATTEMPT)))
        .min(Comparator.comparingInt(CheckpointReporter::rank))
        .orElseThrow(() -> new IllegalArgumentException("trainingjob " + namespace + "/" + name + " has no live rank pod of attempt "
            + attempt + ": a checkpoint is reported for the attempt that wrote it, while it runs"));
    String account = Objects.requireNonNullElse(rank.getSpec().getServiceAccountName(), "default");
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withAudiences(IntakeToken.AUDIENCE).withExpirationSeconds(TOKEN_SECONDS)
        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(rank.getMetadata().getName())
        .withUid(rank.getMetadata().getUid()).endBoundObjectRef().endSpec().build();
    String token = client.serviceAccounts().inNamespace(namespace).withName(account).tokenRequest(request).getStatus().getToken();
    ObjectNode body = JSON.createObjectNode().put("namespace", namespace).put("name", name).put("uid", job.getMetadata().getUid())
        .put("attempt", attempt).put("step", step).put("path", path).put("time", Instant.now().toString());
    HttpResponse<String> answer;
    try {
      answer = HTTP.send(HttpRequest.newBuilder(intake.resolve("/api/v1/checkpoints")).timeout(Duration.ofSeconds(30))
          .header("content-type", "application/json").header("Authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the intake at " + intake + " (" + e + "); from outside the cluster, kubectl "
          + "port-forward to the operator's Service and pass --intake http://127.0.0.1:PORT", e);
    }
    return new Answer(answer.statusCode(), message(answer.body()), rank.getMetadata().getName(), attempt);
  }

  /** Numeric, so rank 2 comes before rank 10; a pod without a readable rank label comes last. */
  private static int rank(Pod pod) {
    try {
      return Integer.parseInt(pod.getMetadata().getLabels().getOrDefault(JobNames.LABEL_RANK, ""));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static String message(String body) {
    try {
      JsonNode json = JSON.readTree(body);
      return json.hasNonNull("message") ? json.path("message").asText() : body;
    } catch (IOException e) {
      return body;
    }
  }
}
