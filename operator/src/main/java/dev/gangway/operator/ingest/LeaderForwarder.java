package dev.gangway.operator.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.leadership.LeaderIdentity;
import dev.gangway.operator.leadership.GangwayLeaderElection;
import dev.gangway.checkin.IntakeAnswer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A follower's way to the leader: reads the leader-election Lease (a read, which a follower may do),
 * takes the leader's address from its holder identity ({@link LeaderIdentity}) and relays a check-in
 * there. Answers 503 when no leader is known or it cannot be reached; the sender retries.
 */
@ApplicationScoped
public class LeaderForwarder {
  /** Set on a forwarded request, so a replica that is not the leader either answers 503 instead of forwarding again. */
  public static final String FORWARDED_BY = "X-Gangway-Forwarded-By";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final GangwayLeaderElection election;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public LeaderForwarder(KubernetesClient client, GangwayLeaderElection election) {
    this.client = client;
    this.election = election;
  }

  public String identity() {
    return election.getIdentity().orElse("");
  }

  /**
   * @param path the route, e.g. /api/v1/checkpoints
   * @param body the request body as received
   * @param token the sender's bearer token, relayed so that the leader reviews the sender, not this replica
   */
  public IntakeAnswer forward(String path, String body, String token) {
    String namespace = election.getLeaseNamespace().orElse("default");
    String lease = namespace + "/" + election.getLeaseName();
    String holder;
    try {
      Lease found = client.leases().inNamespace(namespace).withName(election.getLeaseName()).get();
      holder = found == null || found.getSpec() == null ? null : found.getSpec().getHolderIdentity();
    } catch (KubernetesClientException e) {
      return IntakeAnswer.unavailable("this replica is not the leader and cannot read the Lease " + lease + ": " + e.getMessage());
    }
    if (holder == null || holder.isBlank()) {
      return IntakeAnswer.unavailable("no leader is elected yet (Lease " + lease + " has no holder)");
    }
    if (holder.equals(identity())) {
      return IntakeAnswer.unavailable("this replica is taking over as leader");
    }
    var address = LeaderIdentity.addressOf(holder);
    if (address.isEmpty()) {
      return IntakeAnswer.unavailable("the leader " + holder + " names no address to forward to (Lease " + lease + ")");
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(address.get().baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").header(FORWARDED_BY, identity())
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new IntakeAnswer(response.statusCode(), message(response.body()));
    } catch (IOException e) {
      return IntakeAnswer.unavailable("the leader " + holder + " is unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return IntakeAnswer.unavailable("interrupted while forwarding to the leader " + holder);
    }
  }

  private static String message(String body) {
    try {
      JsonNode message = JSON.readTree(body).get("message");
      return message == null ? body : message.asText();
    } catch (IOException e) {
      return body;
    }
  }
}
