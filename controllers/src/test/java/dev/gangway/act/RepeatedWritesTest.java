package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.decide.GangActions;
import dev.gangway.decide.PinnedRank;
import dev.gangway.decide.PlacementDecision;
import dev.gangway.job.TestJobs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that starts before the pod cache shows the previous one's writes (the informer delivers them one by
 * one) acts on the same stale pods again: it must not repeat a create, a delete or a release it already made.
 */
@EnableKubernetesMockClient(crud = true)
class RepeatedWritesTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  /** The informer cache as the claims read it: it shows what the test says it has shown. */
  private final Map<String, Pod> cache = new java.util.concurrent.ConcurrentHashMap<>();
  private final OwnWrites own = new OwnWrites(Clock.systemUTC(), OwnWrites.DEFAULT_PATIENCE, cache::get);
  private final JobActuator actuator = new JobActuator(own);
  private final TrainingJob job = TestJobs.job("llm", 3, 8);

  /** Method and path of every request the mock server received since the last call. */
  private static List<String> writes() throws InterruptedException {
    List<String> seen = new ArrayList<>();
    for (var r = server.takeRequest(50, TimeUnit.MILLISECONDS); r != null; r = server.takeRequest(50, TimeUnit.MILLISECONDS)) {
      if (!"GET".equals(r.getMethod())) {
        seen.add(r.getMethod() + " " + r.getPath());
      }
    }
    return seen;
  }

  @Test
  void aRestartActedOnTwiceFromTheSameStaleCacheDeletesAndCreatesEachPodOnce() throws InterruptedException {
    List<Pod> firstAttempt = new ArrayList<>();
    for (int rank = 0; rank < 3; rank++) {
      firstAttempt.add(client.resource(TestJobs.pod(job, rank, 1, "n" + rank, TestJobs.running("n" + rank))).create());
    }
    firstAttempt.forEach(p -> cache.put("team-a/" + p.getMetadata().getName(), p));
    writes();
    List<PinnedRank> next = List.of(new PinnedRank(0, "n0"), new PinnedRank(1, "n1"), new PinnedRank(2, "n2"));
    GangActions actions = new GangActions(false, next, firstAttempt, List.of());

    actuator.apply(client, job, new TrainingJobStatus(), Instant.now(), actions, firstAttempt, 2, Optional.empty(), Optional.empty());
    // The teardown runs in the background; wait until it is done, as a later reconcile would find it.
    await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace("team-a").withLabel("gangway.dev/attempt", "1").list()
        .getItems().isEmpty());
    List<String> first = writes();
    assertThat(first).filteredOn(w -> w.startsWith("POST")).hasSize(3);
    assertThat(first).filteredOn(w -> w.startsWith("DELETE")).hasSize(3);

    // The cache has shown none of it yet: the same pods, the same actions.
    actuator.apply(client, job, new TrainingJobStatus(), Instant.now(), actions, firstAttempt, 2, Optional.empty(), Optional.empty());
    await().pollDelay(Duration.ofMillis(300)).until(() -> true);
    assertThat(writes()).as("nothing written twice").isEmpty();

    // Once the cache shows the pods as they are, a pod gone from it is one to write again (someone removed it).
    Pod created = client.pods().inNamespace("team-a").withName("llm-r0-a2").get();
    own.seen(created);
    own.gone(created);
    client.pods().inNamespace("team-a").withName("llm-r0-a2").delete();
    writes();
    actuator.apply(client, job, new TrainingJobStatus(), Instant.now(), new GangActions(false, next.subList(0, 1), List.of(), List.of()),
        List.of(), 2, Optional.empty(), Optional.empty());
    assertThat(writes()).containsExactly("POST /api/v1/namespaces/team-a/pods");
  }

  @Test
  void aGatedRankReleasedOnceIsNotPatchedAgainWhileTheCacheStillShowsTheGate() throws InterruptedException {
    Pod gated = TestJobs.pod(job, 0, 2, null, TestJobs.pending("gated"));
    gated.getSpec().setSchedulingGates(List.of(new PodSchedulingGate(dev.gangway.decide.GangPlacementStep.GATE)));
    gated = client.resource(gated).create();
    writes();
    PlacementDecision release = PlacementDecision.carryingOut(List.of(), Map.of(gated, "n0"), null, Instant.now());

    GangPodWriter.apply(client, release, own);
    GangPodWriter.apply(client, release, own);
    assertThat(writes()).containsExactly("PATCH /api/v1/namespaces/team-a/pods/llm-r0-a2");
    assertThat(client.pods().inNamespace("team-a").withName("llm-r0-a2").get().getSpec().getSchedulingGates()).isEmpty();
  }
}
