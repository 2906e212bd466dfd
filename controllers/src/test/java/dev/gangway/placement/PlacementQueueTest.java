package dev.gangway.placement;

import static dev.gangway.placement.Clusters.FOUR_LEVELS;
import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.topology.Topology;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The queue's admission rules as a table: a cluster written as text (see {@link Clusters}; "=n" is
 * free GPUs of 8), the gangs stored as waiting, one gang deciding, and what it may do: be reported
 * unschedulable, go first, or backfill on what the head leaves — and whether it is then placed.
 */
class PlacementQueueTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final PlacementEngine ENGINE = new PlacementEngine();

  /** Two racks of two nodes: r1 full, r2 with one free node. */
  private static final String BUSY = "b1/r1/n1=0 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0";

  record Row(String intent, Topology topo, String nodes, List<QueuedGang> stored, QueuedGang self,
      PlacementQueue.Admission.Kind expectKind, String expectHead, Boolean expectPlaced) {
    @Override
    public String toString() {
      return intent;
    }
  }

  static QueuedGang gang(String name, int priority, int ageSeconds, UnaryOperator<GangRequest.Builder> req) {
    return gang(THREE_LEVELS, name, priority, ageSeconds, req);
  }

  static QueuedGang gang(Topology topo, String name, int priority, int ageSeconds, UnaryOperator<GangRequest.Builder> req) {
    Instant created = T0.minusSeconds(ageSeconds);
    return new QueuedGang("ns/" + name, priority, created, created, topo, req.apply(GangRequest.builder("ns/" + name)).build());
  }

  static Row row(String intent, String nodes, List<QueuedGang> stored, QueuedGang self, PlacementQueue.Admission.Kind kind,
      String head, Boolean placed) {
    return new Row(intent, THREE_LEVELS, nodes, stored, self, kind, head, placed);
  }

  static final QueuedGang BIG_HEAD = gang("big", 0, 600, r -> r.replicas(2).gpusPerRank(8).required("rack"));
  static final QueuedGang SMALL = gang("small", 0, 10, r -> r.replicas(1).gpusPerRank(8));
  /** Two racks of two idle nodes. */
  private static final String FREE = "b1/r1/n1=8 b1/r1/n2=8 b1/r2/n3=8 b1/r2/n4=8";
  /** Needs a whole rack, and excludes a node in each. */
  static final QueuedGang EXCLUDED_RACKS = gang("excl", 0, 600, r -> r.replicas(2).gpusPerRank(8).required("rack")
      .exclude(java.util.Set.of("n1", "n3")));

  static Stream<Row> rows() {
    return Stream.of(
        row("a lone gang goes first and is placed", BUSY, List.of(), SMALL, PlacementQueue.Admission.Kind.FIRST, null, true),
        row("a younger gang may not take the free node the head waits for", BUSY, List.of(BIG_HEAD), SMALL,
            PlacementQueue.Admission.Kind.BEHIND, "ns/big", false),
        row("the head itself is placed on the cluster as it is (and waits, as nothing frees yet)", BUSY, List.of(BIG_HEAD, SMALL),
            BIG_HEAD, PlacementQueue.Admission.Kind.FIRST, null, false),
        row("a higher-priority gang goes ahead of the head", BUSY, List.of(BIG_HEAD),
            gang("urgent", 100, 1, r -> r.replicas(1).gpusPerRank(8)), PlacementQueue.Admission.Kind.FIRST, null, true),
        row("backfill uses capacity outside the head's held domain",
            BUSY + " b1/r3/n5=0 b1/r3/n6=0 b1/r4/n7=8 b1/r4/n8=8", List.of(BIG_HEAD), SMALL,
            PlacementQueue.Admission.Kind.BEHIND, "ns/big", true),
        row("backfill uses the part of a node the head does not need",
            "b1/r1/n1=2 b1/r1/n2=6", List.of(gang("half", 0, 600, r -> r.replicas(2).gpusPerRank(4).required("host"))),
            gang("sliver", 0, 10, r -> r.replicas(1).gpusPerRank(2)), PlacementQueue.Admission.Kind.BEHIND, "ns/half", true),
        row("backfill may not take the part of a node the head needs",
            "b1/r1/n1=2 b1/r1/n2=0", List.of(gang("half", 0, 600, r -> r.replicas(1).gpusPerRank(4).required("host"))),
            gang("sliver", 0, 10, r -> r.replicas(1).gpusPerRank(2)), PlacementQueue.Admission.Kind.BEHIND, "ns/half", false),
        row("a gang that can never fit is reported at once, even behind a head", BUSY, List.of(BIG_HEAD),
            gang("huge", 0, 10, r -> r.replicas(3).gpusPerRank(8).required("rack")),
            PlacementQueue.Admission.Kind.UNSCHEDULABLE, null, null),
        row("a stored gang that can never fit holds nothing, so it blocks nobody", BUSY,
            List.of(gang("huge", 100, 900, r -> r.replicas(3).gpusPerRank(8).required("rack"))), SMALL,
            PlacementQueue.Admission.Kind.FIRST, null, true),
        row("a head that needs nodes that are down now holds nothing; the next gang holds instead",
            "b1/r1/n1=8,notready b1/r1/n2=8,notready b1/r2/n3=8 b1/r2/n4=0",
            List.of(gang("needs-r1", 0, 900, r -> r.replicas(2).gpusPerRank(8).required("rack").exclude("n3")), BIG_HEAD), SMALL,
            PlacementQueue.Admission.Kind.BEHIND, "ns/big", false),
        row("a gang whose exclusions leave no rack big enough waits for them, not for capacity", FREE,
            List.of(), EXCLUDED_RACKS, PlacementQueue.Admission.Kind.EXCLUDED, null, null),
        row("... and holds nothing, so a younger gang goes first", FREE, List.of(EXCLUDED_RACKS), SMALL,
            PlacementQueue.Admission.Kind.FIRST, null, true),
        row("exclusions that leave room elsewhere change nothing", FREE, List.of(),
            gang("one-out", 0, 10, r -> r.replicas(2).gpusPerRank(8).required("rack").exclude(java.util.Set.of("n1"))),
            PlacementQueue.Admission.Kind.FIRST, null, true),
        row("a gang that could never fit is unschedulable, whatever it excludes", FREE, List.of(),
            gang("huge-excl", 0, 10, r -> r.replicas(3).gpusPerRank(8).required("rack").exclude(java.util.Set.of("n1"))),
            PlacementQueue.Admission.Kind.UNSCHEDULABLE, null, null),
        new Row("tensor-parallel head holds whole groups in one nvlink-domain each", FOUR_LEVELS,
            "b1/r1/v1/n1=0 b1/r1/v1/n2=0 b1/r1/v2/n3=8 b1/r1/v2/n4=0 b1/r1/v3/n5=8 b1/r1/v3/n6=8 b1/r1/v4/n7=8 b1/r1/v4/n8=0",
            List.of(gang(FOUR_LEVELS, "tp", 0, 600, r -> r.replicas(4).gpusPerRank(8).groups(2, "nvlink-domain"))),
            gang(FOUR_LEVELS, "small", 0, 10, r -> r.replicas(1).gpusPerRank(8)), PlacementQueue.Admission.Kind.BEHIND, "ns/tp", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void admission(Row row) {
    List<NodeState> nodes = Clusters.nodes(row.topo(), row.nodes(), b -> b);
    PlacementQueue.Admission admission = new PlacementQueue().admit(row.self(), row.stored(), t -> new ClusterSnapshot(t, nodes));
    assertThat(admission.kind()).isEqualTo(row.expectKind());
    assertThat(admission.head() == null ? null : admission.head().jobKey()).isEqualTo(row.expectHead());
    if (row.expectPlaced() != null) {
      PlacementResult result = ENGINE.place(new ClusterSnapshot(row.topo(), nodes, admission.hidden()), row.self().request());
      assertThat(result.placed()).as(String.valueOf(result.message())).isEqualTo(row.expectPlaced());
      if (result.placed() && admission.held() != null) {
        // Whatever the backfilled gang got, the head still fits in the capacity held for it once that capacity frees.
        List<String> held = admission.held().reservations().stream().map(Reservation::node).toList();
        assertThat(result.nodes()).allSatisfy(n -> {
          int i = new ClusterSnapshot(row.topo(), nodes).indexOf(n);
          int heldHere = admission.held().reservations().stream().filter(r -> r.node().equals(n)).mapToInt(r -> r.resources().gpus()).sum();
          long mine = result.nodes().stream().filter(n::equals).count() * row.self().request().gpusPerRank();
          assertThat(heldHere + mine).as("GPUs held plus taken on " + n + " (held on " + held + ")")
              .isLessThanOrEqualTo(nodes.get(i).allocatable().gpus());
        });
      }
    }
  }

  /**
   * A head that fits now only across racks r1 and r2 and holds out for one rack (for 900 s since it began waiting, 600 s
   * ago) holds rack r1 (its free node n1 and n2, busy now): the younger gang backfills on n3. Once its wait is over it
   * holds where it fits now, n1 and n3, and the younger gang waits.
   */
  @Test
  void aHeadHoldingOutForATighterPlacementHoldsThatCapacityUntilItsWaitEnds() {
    List<NodeState> nodes = Clusters.nodes(THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0", b -> b);
    QueuedGang patient = patient();

    PlacementQueue.Admission during = new PlacementQueue().admit(SMALL, List.of(patient), t -> new ClusterSnapshot(t, nodes), T0);
    assertThat(during.held().where()).isEqualTo("16 GPUs on 2 nodes in rack r1");
    PlacementResult backfilled = ENGINE.place(new ClusterSnapshot(THREE_LEVELS, nodes, during.hidden()), SMALL.request());
    assertThat(backfilled.nodes()).containsExactly("n3");

    PlacementQueue.Admission after = new PlacementQueue().admit(SMALL, List.of(patient), t -> new ClusterSnapshot(t, nodes),
        T0.plusSeconds(300));
    assertThat(after.held().where()).isEqualTo("16 GPUs on 2 nodes where it fits now");
    assertThat(ENGINE.place(new ClusterSnapshot(THREE_LEVELS, nodes, after.hidden()), SMALL.request()).placed()).isFalse();
  }

  /**
   * A platform that lets gangs pass a head for 900 s: BIG_HEAD (waiting 600 s, it does not fit) holds nothing yet, so the
   * small gang takes the free node it would start on; 300 s later it holds that node and the small gang waits. Decided
   * without a time, or with the default of zero, it holds at once.
   */
  @Test
  void aHeadThatDoesNotFitLetsOthersPassUntilItHasWaitedThePlatformsBound() {
    List<NodeState> nodes = Clusters.nodes(THREE_LEVELS, BUSY, b -> b);
    PlacementQueue passing = new PlacementQueue(ENGINE, java.time.Duration.ofSeconds(900));

    PlacementQueue.Admission during = passing.admit(SMALL, List.of(BIG_HEAD), t -> new ClusterSnapshot(t, nodes), T0);
    assertThat(during.kind()).isEqualTo(PlacementQueue.Admission.Kind.FIRST);
    assertThat(ENGINE.place(new ClusterSnapshot(THREE_LEVELS, nodes, during.hidden()), SMALL.request()).nodes()).containsExactly("n3");

    PlacementQueue.Admission after = passing.admit(SMALL, List.of(BIG_HEAD), t -> new ClusterSnapshot(t, nodes), T0.plusSeconds(300));
    assertThat(after.kind()).isEqualTo(PlacementQueue.Admission.Kind.BEHIND);
    assertThat(after.head().jobKey()).isEqualTo("ns/big");
    assertThat(ENGINE.place(new ClusterSnapshot(THREE_LEVELS, nodes, after.hidden()), SMALL.request()).placed()).isFalse();

    assertThat(passing.admit(SMALL, List.of(BIG_HEAD), t -> new ClusterSnapshot(t, nodes)).kind())
        .isEqualTo(PlacementQueue.Admission.Kind.BEHIND);
    assertThat(new PlacementQueue(ENGINE, java.time.Duration.ZERO).admit(SMALL, List.of(BIG_HEAD), t -> new ClusterSnapshot(t, nodes), T0)
        .kind()).isEqualTo(PlacementQueue.Admission.Kind.BEHIND);
  }

  /**
   * While a head lets others pass, the next gang in order that has waited long enough holds instead: the queue's order
   * decides who waits longest, the bound decides when the waiting starts to hold.
   */
  @Test
  void aGangBehindAHeadThatLetsOthersPassHoldsOnceItHasWaitedTheBound() {
    List<NodeState> nodes = Clusters.nodes(THREE_LEVELS, BUSY + " b1/r3/n5=0 b1/r3/n6=8", b -> b);
    // First in order (older), but began waiting again 60 s ago (a restart); the second has waited 1,000 s.
    QueuedGang restarted = new QueuedGang("ns/restarted", 0, T0.minusSeconds(5_000), T0.minusSeconds(60), THREE_LEVELS,
        GangRequest.builder("ns/restarted").replicas(2).gpusPerRank(8).required("rack").build());
    QueuedGang waited = gang("waited", 0, 1_000, r -> r.replicas(2).gpusPerRank(8).required("rack"));

    PlacementQueue.Admission a = new PlacementQueue(ENGINE, java.time.Duration.ofSeconds(900))
        .admit(SMALL, List.of(restarted, waited), t -> new ClusterSnapshot(t, nodes), T0);
    assertThat(a.kind()).isEqualTo(PlacementQueue.Admission.Kind.BEHIND);
    assertThat(a.head().jobKey()).isEqualTo("ns/waited");
  }

  /**
   * A first placement holds out for a tighter one for its first 30 s by default, fitting or not; a head that does not fit
   * at all is passed during the platform's bound all the same (its hold-out window names no room it could take now).
   */
  @Test
  void aHeadThatDoesNotFitIsPassedDuringItsHoldOutWindowToo() {
    List<NodeState> nodes = Clusters.nodes(THREE_LEVELS, BUSY, b -> b);
    QueuedGang fresh = new QueuedGang(BIG_HEAD.jobKey(), 0, BIG_HEAD.createdAt(), T0.minusSeconds(5), THREE_LEVELS, BIG_HEAD.request(),
        java.time.Duration.ofSeconds(30));
    assertThat(fresh.holdsOutForTighter(T0)).isTrue();

    PlacementQueue.Admission a = new PlacementQueue(ENGINE, java.time.Duration.ofSeconds(900))
        .admit(SMALL, List.of(fresh), t -> new ClusterSnapshot(t, nodes), T0);
    assertThat(a.kind()).isEqualTo(PlacementQueue.Admission.Kind.FIRST);
    assertThat(new PlacementQueue(ENGINE, java.time.Duration.ZERO).admit(SMALL, List.of(fresh), t -> new ClusterSnapshot(t, nodes), T0)
        .kind()).as("held at once by default").isEqualTo(PlacementQueue.Admission.Kind.BEHIND);
  }

  /**
   * A head that fits now but holds out for a tighter placement holds that capacity during the platform's bound as well:
   * the bound is for gangs that cannot start, and letting others pass would take the room it holds out for.
   */
  @Test
  void aHeadHoldingOutForATighterPlacementHoldsItWhateverThePlatformsBound() {
    List<NodeState> nodes = Clusters.nodes(THREE_LEVELS, "b1/r1/n1=8 b1/r1/n2=0 b1/r2/n3=8 b1/r2/n4=0", b -> b);
    QueuedGang patient = patient();

    PlacementQueue.Admission during = new PlacementQueue(ENGINE, java.time.Duration.ofHours(1))
        .admit(SMALL, List.of(patient), t -> new ClusterSnapshot(t, nodes), T0);
    assertThat(during.kind()).isEqualTo(PlacementQueue.Admission.Kind.BEHIND);
    assertThat(during.held().where()).isEqualTo("16 GPUs on 2 nodes in rack r1");
  }

  /** A 2 × 8-GPU gang waiting 600 s that may hold out for a tighter placement for 900 s. */
  private static QueuedGang patient() {
    QueuedGang plain = gang("patient", 0, 600, r -> r.replicas(2).gpusPerRank(8));
    return new QueuedGang(plain.jobKey(), 0, plain.createdAt(), plain.waitingSince(), THREE_LEVELS, plain.request(),
        java.time.Duration.ofSeconds(900));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unschedulable")
  void aGangThatCannotFitAnEmptyClusterIsNamedWithTheLargestShape(String intent, Topology topo, String nodes,
      UnaryOperator<GangRequest.Builder> req, String expectMessage) {
    ClusterSnapshot cluster = new ClusterSnapshot(topo, Clusters.nodes(topo, nodes, b -> b));
    var why = EmptyClusterFit.whyNever(cluster, req.apply(GangRequest.builder("ns/j")).build());
    if (expectMessage == null) {
      assertThat(why).isEmpty();
    } else {
      assertThat(why).hasValue(expectMessage);
    }
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> unschedulable() {
    String fourBusy = "b1/r1/n1=0 b1/r1/n2=0 b1/r2/n3=0 b1/r2/n4=0";
    return Stream.of(
        args("fits when the running jobs finish", THREE_LEVELS, fourBusy, r -> r.replicas(2).gpusPerRank(8).required("rack"), null),
        args("no rack is big enough", THREE_LEVELS, fourBusy, r -> r.replicas(4).gpusPerRank(8).required("rack"),
            "needs 4 ranks x 8 GPUs within one rack; the largest rack (r1) has 2 nodes x 8 GPUs = 16 GPUs this job may use"
                + " (room for 2 such ranks)"),
        args("the whole cluster is too small", THREE_LEVELS, fourBusy, r -> r.replicas(5).gpusPerRank(8),
            "needs 5 ranks x 8 GPUs; the whole cluster has 4 nodes x 8 GPUs = 32 GPUs this job may use (room for 4 such ranks)"),
        args("a rank bigger than any node", THREE_LEVELS, fourBusy, r -> r.replicas(1).gpusPerRank(16),
            "needs 1 ranks x 16 GPUs; no node can ever host a rank: 4 Insufficient nvidia.com/gpu"),
        args("not ready, cordoned and health-tainted nodes heal: not unschedulable", THREE_LEVELS,
            "b1/r1/n1=8,notready b1/r1/n2=8,cordoned b1/r2/n3=8,taint=gangway.dev/unhealthy:XID-79:NoSchedule"
                + " b1/r2/n4=8,taint=node.kubernetes.io/unreachable::NoExecute",
            r -> r.replicas(4).gpusPerRank(8), null),
        args("a dedicated pool's taint is permanent", THREE_LEVELS,
            "b1/r1/n1=8,taint=dedicated:infer:NoSchedule b1/r1/n2=8,taint=dedicated:infer:NoSchedule b1/r2/n3=8 b1/r2/n4=8",
            r -> r.replicas(3).gpusPerRank(8),
            "needs 3 ranks x 8 GPUs; the whole cluster has 2 nodes x 8 GPUs = 16 GPUs this job may use (room for 2 such ranks);"
                + " 2/4 nodes can never host a rank: 2 node(s) had untolerated taint {dedicated: infer}"),
        args("tensor-parallel groups larger than any nvlink-domain", FOUR_LEVELS,
            "b1/r1/v1/n1=0 b1/r1/v2/n2=0 b1/r1/v3/n3=0", r -> r.replicas(4).gpusPerRank(8).groups(2, "nvlink-domain"),
            "needs 2 groups of 2 ranks x 8 GPUs, each group within one nvlink-domain; the whole cluster has 3 nodes x 8 GPUs"
                + " = 24 GPUs this job may use (room for 0 such groups)"),
        args("CPU counts too", THREE_LEVELS, fourBusy, r -> r.replicas(1).perRank(new Resources(8, 128_000, 0)),
            "needs 1 ranks x (8 GPUs, 128 CPU); no node can ever host a rank: 4 Insufficient cpu"));
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> leftWithoutExcluded() {
    return Stream.of(
        args("no exclusions: nothing to say", THREE_LEVELS, FREE, r -> r.replicas(4).gpusPerRank(8), null),
        args("room left without the excluded nodes", THREE_LEVELS, FREE, r -> r.replicas(3).gpusPerRank(8).exclude(java.util.Set.of("n4")),
            null),
        args("too few nodes left", THREE_LEVELS, FREE, r -> r.replicas(3).gpusPerRank(8).exclude(java.util.Set.of("n1", "n4")),
            "needs 3 ranks x 8 GPUs; without the 2 nodes it keeps off now, the whole cluster has 2 nodes x 8 GPUs = 16 GPUs this job"
                + " may use (room for 2 such ranks)"),
        args("no rack left big enough", THREE_LEVELS, FREE,
            r -> r.replicas(2).gpusPerRank(8).required("rack").exclude(java.util.Set.of("n1", "n3", "gone")),
            "needs 2 ranks x 8 GPUs within one rack; without the 2 nodes it keeps off now, the largest rack (r1) has 1 node x 8 GPUs"
                + " = 8 GPUs this job may use (room for 1 such ranks)"),
        args("every node excluded", THREE_LEVELS, "b1/r1/n1=8", r -> r.replicas(1).gpusPerRank(8).exclude(java.util.Set.of("n1")),
            "needs 1 ranks x 8 GPUs; without the 1 node it keeps off now, no node can host a rank"),
        args("an excluded node that no longer exists takes nothing away", THREE_LEVELS, FREE,
            r -> r.replicas(4).gpusPerRank(8).exclude(java.util.Set.of("gone")), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leftWithoutExcluded")
  void aGangThatFitsOnlyWithItsExcludedNodesIsToldHowMuchIsLeft(String intent, Topology topo, String nodes,
      UnaryOperator<GangRequest.Builder> req, String expectMessage) {
    ClusterSnapshot cluster = new ClusterSnapshot(topo, Clusters.nodes(topo, nodes, b -> b));
    GangRequest request = req.apply(GangRequest.builder("ns/j")).build();
    assertThat(EmptyClusterFit.whyNever(cluster, request)).as("an empty cluster holds it").isEmpty();
    var why = EmptyClusterFit.whyNotWithoutExcluded(cluster, request);
    if (expectMessage == null) {
      assertThat(why).isEmpty();
    } else {
      assertThat(why).hasValue(expectMessage);
    }
  }

  static org.junit.jupiter.params.provider.Arguments args(String intent, Topology topo, String nodes,
      UnaryOperator<GangRequest.Builder> req, String message) {
    return org.junit.jupiter.params.provider.Arguments.of(intent, topo, nodes, req, message);
  }
}
