package dev.gangway.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.signal.Caller;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The API server's TokenReview and SubjectAccessReview, played on the mock server (which has
 * neither): token {@code pod:<namespace>:<pod>:<pod uid>} is a ServiceAccount token bound to that
 * pod, {@link #HEALTH_AGENT} is a health agent granted node-health signals, anything else is refused.
 */
final class FakeReviews {
  static final String HEALTH_AGENT = "health-agent";
  static final String REFUSAL = "invalid bearer token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeReviews() {
  }

  static void install(KubernetesServer server) {
    server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
      ObjectNode review = read(request.getBody().readUtf8());
      String token = review.path("spec").path("token").asText();
      ObjectNode status = review.putObject("status");
      if (token.startsWith("pod:")) {
        String[] parts = token.split(":");
        ObjectNode user = status.put("authenticated", true).putObject("user").put("username", "system:serviceaccount:" + parts[1] + ":default")
            .put("uid", "sa-uid");
        user.putArray("groups").add("system:serviceaccounts").add("system:authenticated");
        user.putObject("extra").<ObjectNode>set(Caller.POD_NAME, JSON.createArrayNode().add(parts[2]))
            .set(Caller.POD_UID, JSON.createArrayNode().add(parts[3]));
      } else if (token.equals(HEALTH_AGENT)) {
        status.put("authenticated", true).putObject("user").put("username", "system:serviceaccount:gpu-health:agent").put("uid", "agent-uid");
      } else {
        status.put("authenticated", false).put("error", REFUSAL);
      }
      return review.toString();
    }).always();
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, request -> {
      ObjectNode review = read(request.getBody().readUtf8());
      JsonNode attributes = review.path("spec").path("resourceAttributes");
      boolean allowed = review.path("spec").path("user").asText().equals("system:serviceaccount:gpu-health:agent")
          && attributes.path("group").asText().equals("gangway.dev") && attributes.path("resource").asText().equals("nodehealthsignals")
          && attributes.path("verb").asText().equals("create");
      review.putObject("status").put("allowed", allowed);
      return review.toString();
    }).always();
  }

  private static ObjectNode read(String body) {
    try {
      return (ObjectNode) JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
