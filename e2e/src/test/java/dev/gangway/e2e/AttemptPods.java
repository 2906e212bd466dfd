package dev.gangway.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** The rank pods of one attempt of a job, for tests that run real clients on them. */
final class AttemptPods {
  private AttemptPods() {
  }

  /** The attempt's rank pods, once all of them exist. */
  static List<JsonNode> of(Kube kube, String job, int attempt, Duration wait) {
    return awaitPods(kube, job, attempt, wait, "rank pods", pods -> true);
  }

  /** The attempt's ranks on a pod network, once KWOK gave every pod its IP (a new attempt's pods get new ones). */
  static LocalRanks onPodNetwork(Kube kube, String job, int attempt, Duration wait) {
    return LocalRanks.onPodNetwork(awaitPods(kube, job, attempt, wait, "pod IPs",
        pods -> pods.stream().noneMatch(p -> p.path("status").path("podIP").asText().isEmpty())), kube);
  }

  /**
   * Polls with one {@code kubectl get} per look and no pause before the first, so that what a benchmark times is
   * the cluster's, not the harness's (a look costs a kubectl process, ~0.1 s; nested waits cost several per look).
   */
  private static List<JsonNode> awaitPods(Kube kube, String job, int attempt, Duration wait, String what,
      Predicate<List<JsonNode>> ready) {
    int replicas = kube.get("tj", job).path("spec").path("replicas").asInt();
    AtomicReference<List<JsonNode>> seen = new AtomicReference<>(List.of());
    await(what).atMost(wait).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<JsonNode> pods = kube.pods(job, attempt);
      seen.set(pods);
      return pods.size() == replicas && ready.test(pods);
    });
    return seen.get();
  }
}
