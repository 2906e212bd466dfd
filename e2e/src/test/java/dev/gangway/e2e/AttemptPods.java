package dev.gangway.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** The rank pods of one attempt of a job, for tests that run real clients on them. */
final class AttemptPods {
  private AttemptPods() {
  }

  /** The attempt's rank pods, once all of them exist. */
  static List<JsonNode> of(Kube kube, String job, int attempt, Duration wait) {
    int replicas = kube.get("tj", job).path("spec").path("replicas").asInt();
    await().atMost(wait).until(() -> existing(kube, job, attempt).size() == replicas);
    return existing(kube, job, attempt);
  }

  /** The attempt's ranks on a pod network, once KWOK gave every pod its IP (a new attempt's pods get new ones). */
  static LocalRanks onPodNetwork(Kube kube, String job, int attempt, Duration wait) {
    await("pod IPs").atMost(wait).until(() -> of(kube, job, attempt, wait).stream()
        .noneMatch(p -> p.path("status").path("podIP").asText().isEmpty()));
    return LocalRanks.onPodNetwork(of(kube, job, attempt, wait), kube);
  }

  private static List<JsonNode> existing(Kube kube, String job, int attempt) {
    return kube.pods(job).stream()
        .filter(p -> p.path("metadata").path("labels").path("gangway.dev/attempt").asInt() == attempt).toList();
  }
}
