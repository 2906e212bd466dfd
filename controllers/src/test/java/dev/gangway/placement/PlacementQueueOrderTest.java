package dev.gangway.placement;

import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PlacementQueue#admit} reads only the gangs ahead of the deciding one, in queue order, and stops at the first that
 * holds capacity: on random queues and clusters it answers as the rules read literally (sort the whole queue, walk it
 * from the front until the deciding gang), whichever order the gangs are stored in, and its ordered form (for a caller
 * that keeps the queue sorted) answers the same.
 */
class PlacementQueueOrderTest {

  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final PlacementEngine ENGINE = new PlacementEngine();

  @Test
  void admissionReadsOnlyTheGangsAheadAndAnswersAsTheWholeQueueSorted() {
    Random rnd = new Random(13);
    int[] kinds = new int[PlacementQueue.Admission.Kind.values().length];
    for (int round = 0; round < 300; round++) {
      ClusterSnapshot cluster = new ClusterSnapshot(THREE_LEVELS, Clusters.nodes(THREE_LEVELS, randomCluster(rnd), b -> b));
      List<QueuedGang> waiting = new ArrayList<>();
      int n = 1 + rnd.nextInt(8);
      for (int g = 0; g < n; g++) waiting.add(randomGang(rnd, "g" + g));
      QueuedGang self = rnd.nextInt(4) == 0 ? randomGang(rnd, "self") : waiting.get(rnd.nextInt(n));
      Collections.shuffle(waiting, rnd);

      PlacementQueue.Admission expected = literally(self, waiting, cluster);
      PlacementQueue.Admission got = new PlacementQueue(ENGINE).admit(self, waiting, t -> cluster);
      List<QueuedGang> ahead = PlacementQueue.order(waiting, self).stream().filter(g -> QueuedGang.ORDER.compare(g, self) < 0).toList();
      int length = (int) waiting.stream().filter(g -> !g.jobKey().equals(self.jobKey())).count() + 1;
      PlacementQueue.Admission ordered = new PlacementQueue(ENGINE).admit(self, ahead, length, t -> cluster);

      assertThat(got).as("round %d", round).isEqualTo(expected);
      assertThat(ordered).as("round %d, ordered form", round).isEqualTo(expected);
      kinds[expected.kind().ordinal()]++;
    }
    // The random queues reach every kind of answer, so the comparison covers each rule.
    assertThat(kinds).doesNotContain(0);
  }

  /** The rules as PlacementQueue's Javadoc states them, on the whole queue sorted. */
  private static PlacementQueue.Admission literally(QueuedGang self, List<QueuedGang> waiting, ClusterSnapshot cluster) {
    List<QueuedGang> queue = PlacementQueue.order(waiting, self);
    Optional<String> never = EmptyClusterFit.whyNever(cluster, self.request());
    if (never.isPresent()) return new PlacementQueue.Admission(PlacementQueue.Admission.Kind.UNSCHEDULABLE, never.get(), null, null, queue.size() - 1);
    Optional<String> excluded = EmptyClusterFit.whyNotWithoutExcluded(cluster, self.request());
    if (excluded.isPresent()) return new PlacementQueue.Admission(PlacementQueue.Admission.Kind.EXCLUDED, excluded.get(), null, null, queue.size());
    for (QueuedGang gang : queue) {
      if (gang.jobKey().equals(self.jobKey())) break;
      Optional<HeadReservation> held = HeadReservation.of(cluster, gang.request(), ENGINE);
      if (held.isPresent()) return new PlacementQueue.Admission(PlacementQueue.Admission.Kind.BEHIND, null, gang, held.get(), queue.size());
    }
    return new PlacementQueue.Admission(PlacementQueue.Admission.Kind.FIRST, null, null, null, queue.size());
  }

  /** Two blocks of two racks of two nodes, each node with random free GPUs; some not ready. */
  private static String randomCluster(Random rnd) {
    StringBuilder b = new StringBuilder();
    int node = 0;
    for (int block = 1; block <= 2; block++) {
      for (int rack = 1; rack <= 2; rack++) {
        for (int k = 0; k < 2; k++) {
          node++;
          b.append("b").append(block).append("/r").append(block).append(rack).append("/n").append(node).append('=')
              .append(new int[] {0, 0, 4, 8, 8}[rnd.nextInt(5)]);
          if (rnd.nextInt(8) == 0) b.append(",notready");
          b.append(' ');
        }
      }
    }
    return b.toString().trim();
  }

  /**
   * A gang of 1–4 ranks of 4 or 8 GPUs, sometimes 8 ranks (the whole cluster: any exclusion keeps it waiting) or 9 (never
   * placeable), at a random priority and age.
   */
  private static QueuedGang randomGang(Random rnd, String name) {
    Instant created = T0.minusSeconds(rnd.nextInt(5) * 60L);
    int shape = rnd.nextInt(12);
    GangRequest.Builder req = GangRequest.builder("ns/" + name).replicas(shape == 0 ? 9 : shape == 1 ? 8 : 1 + rnd.nextInt(4))
        .gpusPerRank(shape == 1 || rnd.nextBoolean() ? 8 : 4);
    if (rnd.nextInt(3) == 0) req.required("rack");
    if (rnd.nextInt(4) == 0) req.exclude("n" + (1 + rnd.nextInt(8)), "n" + (1 + rnd.nextInt(8)));
    return new QueuedGang("ns/" + name, rnd.nextInt(3) * 10, created, created, THREE_LEVELS, req.build());
  }
}
