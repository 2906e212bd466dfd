package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.cache.PodsByOwner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader deletes the rank pods of a deleted job that the garbage collector left, and nothing else: not a live job's
 * (cached, or only on the API server), not before the grace, not another namespace's, not as a follower.
 */
@EnableKubernetesMockClient(crud = true)
class OrphanedRankSweepTest {
  static KubernetesClient client;

  private final Map<ResourceID, TrainingJob> cachedJobs = new ConcurrentHashMap<>();
  private final PodsByOwner pods = new PodsByOwner("TrainingJob");
  private final AtomicBoolean leader = new AtomicBoolean(true);
  private final AtomicInteger deleted = new AtomicInteger();
  private Instant now = Instant.parse("2026-12-07T12:00:00Z");
  private OrphanedRankSweep sweep;

  @BeforeEach
  void sweep() {
    client.pods().inAnyNamespace().delete();
    client.resources(TrainingJob.class).inAnyNamespace().delete();
    Clock clock = new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now;
      }
    };
    sweep = new OrphanedRankSweep(pods, new MapCache(), "team-a"::equals, client, leader::get, clock, deleted::addAndGet);
  }

  @Test
  void aDeletedJobsRanksGoAfterTheGraceAndALiveJobOfTheSameNameKeepsItsOwn() {
    TrainingJob gone = TestJobs.job("llm", 2, 8);
    TrainingJob again = TestJobs.job("llm", 2, 8);
    again.getMetadata().setUid("uid-llm-again");
    again = live(again);
    List<Pod> orphaned = ranks(gone, 1);
    List<Pod> kept = ranks(again, 2);

    sweep.run();
    now = now.plusSeconds(19);
    sweep.run();
    assertThat(names(client.pods().inNamespace("team-a").list().getItems())).as("within the grace: the garbage collector's turn")
        .hasSize(4);

    now = now.plusSeconds(1);
    sweep.run();
    assertThat(names(client.pods().inNamespace("team-a").list().getItems()))
        .as("the live job's pods only, none of %s", names(orphaned)).containsExactlyInAnyOrderElementsOf(names(kept));
    assertThat(deleted).hasValue(2);
  }

  @Test
  void aJobTheCacheDoesNotShowYetButTheApiServerHasKeepsItsRanks() {
    // As the server keeps it: its uid is the server's.
    TrainingJob job = client.resource(TestJobs.job("llm", 2, 8)).create();
    ranks(job, 1);

    sweep.run();
    now = now.plusSeconds(60);
    sweep.run();

    assertThat(client.pods().inNamespace("team-a").list().getItems()).hasSize(2);
    assertThat(deleted).hasValue(0);
  }

  @Test
  void aFollowerAndAnotherNamespaceDeleteNothing() {
    TrainingJob elsewhere = TestJobs.job("other", 1, 8);
    elsewhere.getMetadata().setNamespace("team-b");
    ranks(elsewhere, 1);
    TrainingJob gone = TestJobs.job("llm", 1, 8);
    ranks(gone, 1);

    leader.set(false);
    sweep.run();
    now = now.plusSeconds(60);
    sweep.run();
    assertThat(client.pods().inAnyNamespace().list().getItems()).as("a follower").hasSize(2);

    // Leader now: the grace counts from its own first sight, and only the watched namespace is swept.
    leader.set(true);
    sweep.run();
    now = now.plusSeconds(20);
    sweep.run();
    assertThat(names(client.pods().inAnyNamespace().list().getItems())).containsExactly("other-r0-a1");
  }

  private TrainingJob live(TrainingJob job) {
    TrainingJob created = client.resource(job).create();
    cachedJobs.put(ResourceID.fromResource(created), created);
    return created;
  }

  /** The job's ranks, created on the server and shown by the pod cache as created. */
  private List<Pod> ranks(TrainingJob job, int attempt) {
    List<Pod> created = new ArrayList<>();
    for (int rank = 0; rank < job.getSpec().getReplicas(); rank++) {
      Pod pod = client.resource(TestJobs.pod(job, rank, attempt, "n" + rank, TestJobs.running("n" + rank))).create();
      pods.put(pod);
      created.add(pod);
    }
    return created;
  }

  private static List<String> names(List<Pod> list) {
    return list.stream().map(p -> p.getMetadata().getName()).toList();
  }

  private final class MapCache implements Cache<TrainingJob> {
    @Override
    public Optional<TrainingJob> get(ResourceID id) {
      return Optional.ofNullable(cachedJobs.get(id));
    }

    @Override
    public Stream<ResourceID> keys() {
      return cachedJobs.keySet().stream();
    }

    @Override
    public Stream<TrainingJob> list(Predicate<TrainingJob> predicate) {
      return cachedJobs.values().stream().filter(predicate);
    }
  }
}
