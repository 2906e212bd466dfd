package dev.gangway.placement;

import static dev.gangway.placement.Clusters.FOUR_LEVELS;
import static dev.gangway.placement.Clusters.THREE_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Placement decisions as a table, in the manner of Kueue's TAS tests: a cluster written as text, a
 * request, and the node of every rank (e.g. "a1*2 c1" = ranks 0,1 on a1, rank 2 on c1) or the reason
 * and part of the message. Every node has 8 GPUs; "=n" after a node is how many are free.
 */
class PlacementEngineTableTest {

  /** Racks joined by links as fast as the block's (full bisection inside a block): leaving a rack costs nothing. */
  static final Topology FLAT_RACKS = Topology.of(5, new dev.gangway.topology.Level(0, "block", Clusters.BLOCK, 25),
      new dev.gangway.topology.Level(1, "rack", Clusters.RACK, 25), new dev.gangway.topology.Level(2, "host", Clusters.HOST, 450));

  record Row(String intent, Topology topo, String nodes, List<Reservation> reservations, UnaryOperator<GangRequest.Builder> request,
      String expectNodes, String expectReason, String expectMessage) {
    @Override
    public String toString() {
      return intent;
    }
  }

  static Row placed(String intent, Topology topo, String nodes, UnaryOperator<GangRequest.Builder> req, String expect) {
    return new Row(intent, topo, nodes, List.of(), req, expect, null, null);
  }

  static Row placed(String intent, String nodes, UnaryOperator<GangRequest.Builder> req, String expect) {
    return placed(intent, THREE_LEVELS, nodes, req, expect);
  }

  static Row rejected(String intent, Topology topo, String nodes, UnaryOperator<GangRequest.Builder> req, String reason,
      String message) {
    return new Row(intent, topo, nodes, List.of(), req, null, reason, message);
  }

  static Row rejected(String intent, String nodes, UnaryOperator<GangRequest.Builder> req, String reason, String message) {
    return rejected(intent, THREE_LEVELS, nodes, req, reason, message);
  }

  static Row withReservations(Row row, Reservation... reservations) {
    return new Row(row.intent, row.topo, row.nodes, List.of(reservations), row.request, row.expectNodes, row.expectReason,
        row.expectMessage);
  }

  /** count nodes named prefix1..prefixN under path, e.g. many("b1/r1/nv1/a", 3) = "b1/r1/nv1/a1 b1/r1/nv1/a2 b1/r1/nv1/a3". */
  static String many(String path, int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> path + String.format("%02d", i)).collect(Collectors.joining(" "));
  }

  static UnaryOperator<GangRequest.Builder> ranks(int replicas, int gpus) {
    return b -> b.replicas(replicas).gpusPerRank(gpus);
  }

  static UnaryOperator<GangRequest.Builder> ranks(int replicas, int gpus, UnaryOperator<GangRequest.Builder> more) {
    return b -> more.apply(b.replicas(replicas).gpusPerRank(gpus));
  }

  static NodeSelectorTerm term(String key, String op, String... values) {
    return new NodeSelectorTermBuilder().addToMatchExpressions(
        new NodeSelectorRequirementBuilder().withKey(key).withOperator(op).withValues(values).build()).build();
  }

  static Stream<Row> rows() {
    String twoPools = "b1/r1/n1 b1/r1/n2,label=pool:a";
    String generations = "b1/r1/n1,label=gen:3 b1/r1/n2,label=gen:5";
    // b1 is the tighter block (4 free nodes) but they lie in 3 racks; b2's 5 lie in 2.
    String tightBlockRoomyRacks = "b1/r1/a1 b1/r1/a2 b1/r2/a3 b1/r3/a4 b2/r4/c1 b2/r4/c2 b2/r4/c3 b2/r5/c4 b2/r5/c5";
    return Stream.of(
        // --- best fit on a single node
        placed("one rank goes to the tightest node that fits", "b1/r1/n1=8 b1/r1/n2=2", ranks(1, 2), "n2"),
        placed("ties go to tree order", "b1/r1/n2 b1/r1/n1", ranks(1, 8), "n1"),
        placed("ranks share a node that has room for both", "b1/r1/n1 b1/r1/n2", ranks(2, 4), "n1*2"),
        placed("a half-used node is filled before an empty one", "b1/r1/n1=4 b1/r1/n2", ranks(1, 4), "n1"),
        placed("four 4-GPU ranks take two whole nodes, not three", "b1/r1/n1 b1/r1/n2 b1/r1/n3=4", ranks(4, 4), "n1*2 n2*2"),
        placed("a gang that fits nowhere whole is cut where the fewest nodes suffice",
            "b1/r1/n1=2 b1/r1/n2=6 b1/r1/n3=4", ranks(10, 1), "n2*6 n3*4"),
        // --- best fit across racks and blocks
        placed("a gang fills the tightest rack and keeps the emptier rack whole",
            "b1/r1/a1 b1/r1/a2 b1/r2/c1 b1/r2/c2 b1/r2/c3 b1/r2/c4", ranks(2, 8), "a1 a2"),
        placed("too big for any rack: fewest racks, the fullest that still fit",
            "b1/r1/a1 b1/r1/a2 b1/r1/a3 b1/r2/c1 b1/r3/d1 b1/r3/d2", ranks(4, 8), "a1 a2 a3 c1"),
        placed("the smallest block that holds the gang is used",
            "b1/r1/a1 b1/r1/a2 b1/r2/a3 b1/r2/a4 b2/r3/c1 b2/r3/c2 b2/r4/c3 b2/r4/c4 b2/r5/c5 b2/r5/c6", ranks(4, 8),
            "a1 a2 a3 a4"),
        placed("one rack that holds the gang beats a tighter block that would split it",
            "b1/r1/a1 b1/r2/a2 b1/r3/a3 b1/r4/a4 b2/r5/c1 b2/r5/c2 b2/r5/c3 b2/r5/c4 b2/r6/d1 b2/r6/d2 b2/r6/d3 b2/r6/d4 b2/r6/d5",
            ranks(4, 8), "c1 c2 c3 c4"),
        placed("a roomier block whose racks hold the gang in two beats a tighter block that needs three",
            tightBlockRoomyRacks, ranks(4, 8),
            "c1 c2 c4 c5"),
        placed("racks whose links are no faster than the block's are not counted: the tighter block wins", FLAT_RACKS,
            tightBlockRoomyRacks, ranks(4, 8),
            "a1 a2 a3 a4"),
        placed("larger than any block, racks not counted: shares drawn from the fewest racks of the chosen blocks", FLAT_RACKS,
            "b1/r1/a1 b1/r2/a2 b1/r3/a3 b2/r4/c1 b2/r4/c2 b2/r4/c3", ranks(5, 8), "a1 a2 c1 c2 c3"),
        placed("equally tight nodes: the one in the fuller rack", "b1/r1/a1 b1/r1/a2 b1/r2/c1 b1/r2/c2=0", ranks(1, 8), "c1"),
        placed("equally tight nodes in equally full racks: the one in the fuller block",
            "b1/r1/a1 b1/r2/a2 b2/r3/c1 b2/r4/c2=0", ranks(1, 8), "c1"),
        placed("larger than any block: of the pairs of blocks, the one whose racks hold the gang in the fewest",
            "b1/r1/a1 b1/r1/a2 b1/r1/a3 b1/r2/a4 b1/r2/a5=4 b2/r3/c1 b2/r3/c2 b2/r4/c3 b2/r5/c4 b3/r6/d1 b3/r6/d2 b3/r6/d3",
            ranks(6, 8), "a1 a2 a3 d1 d2 d3"),
        placed("hosts are not counted: the tighter rack wins though its ranks land on more nodes",
            "b1/r1/a1=4 b1/r1/a2=4 b1/r1/a3=4 b1/r2/c1 b1/r2/c2", ranks(3, 4), "a1 a2 a3"),
        placed("larger than any block: fewest blocks, ranks in block order",
            "b1/r1/a1 b1/r1/a2 b2/r2/c1 b2/r2/c2 b2/r2/c3 b3/r3/d1", ranks(5, 8), "a1 a2 c1 c2 c3"),
        placed("ranks walk racks in tree order so each rack's ranks are consecutive",
            "b1/r2/c1 b1/r1/a1 b1/r2/c2 b1/r1/a2", ranks(4, 8), "a1 a2 c1 c2"),
        placed("preferred level changes nothing when the gang fits deeper", "b1/r1/n1 b2/r2/n2", ranks(1, 8, b -> b.preferred("block")), "n1"),
        // --- required levels
        placed("required rack: the tightest rack that holds the gang",
            "b1/r1/a1 b1/r1/a2 b1/r1/a3 b1/r2/c1 b1/r2/c2", ranks(2, 8, b -> b.required("rack")), "c1 c2"),
        placed("required block: the gang may span racks inside it",
            "b1/r1/a1 b1/r2/a2 b2/r3/c1", ranks(2, 8, b -> b.required("block")), "a1 a2"),
        rejected("required level too small: the reason names the largest domain", FOUR_LEVELS,
            many("b1/r1/nv1/a", 9) + " " + many("b1/r1/nv2/c", 8), ranks(16, 8, b -> b.required("nvlink-domain")),
            PlacementResult.REQUIRED_LEVEL_TOO_SMALL,
            "needs 16 ranks with 8 free GPUs each in one nvlink-domain; the largest nvlink-domain has room for 9 such ranks (the cluster has room for 17)"),
        rejected("required host: ranks spread over two hosts do not count", "b1/r1/n1=4 b1/r1/n2=4",
            ranks(2, 4, b -> b.required("host")), PlacementResult.REQUIRED_LEVEL_TOO_SMALL, "the largest host has room for 1 such ranks"),
        // --- nodes without a level's label
        rejected("nodes without the rack label are each in a rack of their own", "b1/-/n1 b1/-/n2 b1/r1/n3=4",
            ranks(2, 8, b -> b.required("rack")), PlacementResult.REQUIRED_LEVEL_TOO_SMALL, "the largest rack has room for 1 such ranks"),
        placed("unlabelled nodes still serve a gang that may span racks", "b1/-/n1 b1/-/n2 b1/r1/n3=4", ranks(2, 8), "n1 n2"),
        // --- tensor-parallel groups
        placed("groups of two stay inside one nvlink domain", FOUR_LEVELS,
            "b1/r1/nv1/a1 b1/r1/nv1/a2 b1/r1/nv1/a3 b1/r1/nv2/c1 b1/r1/nv3/d1 b1/r1/nv3/d2",
            ranks(4, 8, b -> b.groups(2, "nvlink-domain")), "a1 a2 d1 d2"),
        placed("without groups the same cluster packs into the fullest domains instead", FOUR_LEVELS,
            "b1/r1/nv1/a1 b1/r1/nv1/a2 b1/r1/nv1/a3 b1/r1/nv2/c1 b1/r1/nv3/d1 b1/r1/nv3/d2", ranks(4, 8), "a1 a2 a3 c1"),
        placed("a group level at or above the required level adds nothing", FOUR_LEVELS,
            "b1/r1/nv1/a1 b1/r1/nv2/c1 b1/r1/nv2/c2", ranks(2, 8, b -> b.required("nvlink-domain").groups(2, "rack")), "c1 c2"),
        rejected("enough GPUs but not in whole groups", FOUR_LEVELS,
            "b1/r1/nv1/a1 b1/r1/nv2/c1 b1/r1/nv3/d1 b1/r1/nv3/d2", ranks(4, 8, b -> b.groups(2, "nvlink-domain")),
            PlacementResult.INSUFFICIENT_CAPACITY,
            "needs 4 ranks with 8 free GPUs each in 2 groups of 2 consecutive ranks, each group in one nvlink-domain; the cluster has room for 1 such groups"),
        rejected("groups that fit the cluster but not the required block", FOUR_LEVELS,
            "b1/r1/nv1/a1 b1/r1/nv1/a2 b2/r2/nv2/c1 b2/r2/nv2/c2", ranks(4, 8, b -> b.required("block").groups(2, "nvlink-domain")),
            PlacementResult.REQUIRED_LEVEL_TOO_SMALL, "the largest block has room for 1 such groups (the cluster has room for 2)"),
        // --- what kube-scheduler would reject
        placed("an untolerated NoSchedule taint keeps ranks off", "b1/r1/n1,taint=gpu:bad:NoSchedule b1/r1/n2", ranks(1, 8), "n2"),
        placed("an untolerated NoExecute taint keeps ranks off", "b1/r1/n1,taint=gpu:bad:NoExecute b1/r1/n2", ranks(1, 8), "n2"),
        placed("a PreferNoSchedule taint does not filter", "b1/r1/n1,taint=gpu:meh:PreferNoSchedule b1/r1/n2", ranks(1, 8), "n1"),
        placed("an Equal toleration with the taint's value lets ranks on", "b1/r1/n1,taint=gpu:bad:NoSchedule b1/r1/n2",
            ranks(1, 8, b -> b.toleration(new TolerationBuilder().withKey("gpu").withOperator("Equal").withValue("bad")
                .withEffect("NoSchedule").build())), "n1"),
        placed("an Equal toleration with another value does not", "b1/r1/n1,taint=gpu:bad:NoSchedule b1/r1/n2",
            ranks(1, 8, b -> b.toleration(new TolerationBuilder().withKey("gpu").withValue("good").build())), "n2"),
        placed("an Exists toleration without key tolerates every taint", "b1/r1/n1,taint=gpu:bad:NoExecute b1/r1/n2",
            ranks(1, 8, b -> b.toleration(new TolerationBuilder().withOperator("Exists").build())), "n1"),
        rejected("every node tainted: kube-scheduler's summary", "b1/r1/n1,taint=gpu:bad:NoSchedule b1/r1/n2,taint=gpu:bad:NoSchedule b1/r1/n3=0",
            ranks(1, 8), PlacementResult.NO_NODE_AVAILABLE,
            "0/3 nodes are available: 2 node(s) had untolerated taint {gpu: bad}, 1 Insufficient nvidia.com/gpu."),
        placed("nodeSelector picks labelled nodes", twoPools, ranks(1, 8, b -> b.nodeSelector("pool", "a")), "n2"),
        placed("affinity In", twoPools, ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("pool", "In", "a")))), "n2"),
        placed("affinity NotIn matches a node without the label", twoPools,
            ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("pool", "NotIn", "a")))), "n1"),
        placed("affinity Exists", twoPools, ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("pool", "Exists")))), "n2"),
        placed("affinity DoesNotExist", twoPools, ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("pool", "DoesNotExist")))), "n1"),
        placed("affinity Gt compares numbers", generations, ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("gen", "Gt", "4")))), "n2"),
        placed("affinity Lt compares numbers", generations, ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("gen", "Lt", "4")))), "n1"),
        placed("affinity terms are ORed", twoPools,
            ranks(1, 8, b -> b.requiredNodeAffinity(List.of(term("pool", "In", "zzz"), term("pool", "In", "a")))), "n2"),
        rejected("an empty list of affinity terms selects no node", twoPools, ranks(1, 8, b -> b.requiredNodeAffinity(List.of())),
            PlacementResult.NO_NODE_AVAILABLE, "2 node(s) didn't match Pod's node affinity/selector"),
        placed("cordoned and NotReady nodes are skipped", "b1/r1/n1,cordoned b1/r1/n2,notready b1/r1/n3", ranks(1, 8), "n3"),
        rejected("cordoned and NotReady nodes are counted in the reason", "b1/r1/n1,cordoned b1/r1/n2,notready b1/r1/n3",
            ranks(2, 8), PlacementResult.INSUFFICIENT_CAPACITY,
            "needs 2 ranks with 8 free GPUs each; the cluster has room for 1 such ranks; 2/3 nodes cannot host a rank: "
                + "1 node(s) were not ready, 1 node(s) were unschedulable"),
        placed("nodes excluded for the job are skipped", "b1/r1/n1 b1/r1/n2", ranks(1, 8, b -> b.exclude("n1")), "n2"),
        placed("CPU bounds ranks per node", "b1/r1/n1 b1/r1/n2", ranks(2, 1, b -> b.perRank(new Resources(1, 40_000, 0))), "n1 n2"),
        rejected("memory shortage is named", "b1/r1/n1,mem=10", ranks(1, 1, b -> b.perRank(new Resources(1, 1000, 100L << 30))),
            PlacementResult.NO_NODE_AVAILABLE, "0/1 nodes are available: 1 Insufficient memory."),
        placed("a CPU-only gang fills the node with fewer free GPUs first", "b1/r1/n1 b1/r1/n2=0",
            ranks(3, 0, b -> b.perRank(new Resources(0, 32_000, 0))), "n1 n2*2"),
        withReservations(placed("another gang's reservation holds its GPUs", "b1/r1/n1 b1/r1/n2", ranks(1, 8), "n2"),
            new Reservation("ns/other", "n1", Resources.gpus(8))),
        withReservations(placed("a job's own reservation is free to it", "b1/r1/n1 b1/r1/n2", ranks(1, 8), "n1"),
            new Reservation("ns/job", "n1", Resources.gpus(8))),
        // --- requests that can never fit
        rejected("not enough GPUs anywhere", "b1/r1/n1 b1/r1/n2=4", ranks(2, 8), PlacementResult.INSUFFICIENT_CAPACITY,
            "needs 2 ranks with 8 free GPUs each; the cluster has room for 1 such ranks; 1/2 nodes cannot host a rank: 1 Insufficient nvidia.com/gpu"),
        rejected("an unknown level is an invalid request", "b1/r1/n1", ranks(1, 8, b -> b.required("pod")),
            PlacementResult.INVALID_REQUEST, "spec.topology.required: level \"pod\" is not in the ClusterTopology; its levels are block, rack, host"),
        rejected("groupSize must divide replicas", "b1/r1/n1", ranks(3, 1, b -> b.groups(2, "rack")),
            PlacementResult.INVALID_REQUEST, "groupSize 2 must divide replicas 3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(Row row) {
    ClusterSnapshot snapshot = new ClusterSnapshot(row.topo, Clusters.nodes(row.topo, row.nodes, b -> b), row.reservations);
    GangRequest request = row.request.apply(GangRequest.builder("ns/job")).build();

    PlacementResult result = new PlacementEngine().place(snapshot, request);

    if (row.expectNodes != null) {
      assertThat(result.placed()).as("placed; reason: %s", result.message()).isTrue();
      assertThat(result.nodes()).containsExactlyElementsOf(expand(row.expectNodes));
    } else {
      assertThat(result.placed()).as("should not fit, got %s", result.nodes()).isFalse();
      assertThat(result.reason()).isEqualTo(row.expectReason);
      assertThat(result.message()).contains(row.expectMessage);
    }
  }

  /** "a1*2 c1" → [a1, a1, c1]. */
  static List<String> expand(String compact) {
    List<String> out = new ArrayList<>();
    for (String part : compact.trim().split("\\s+")) {
      String[] nk = part.split("\\*");
      int k = nk.length > 1 ? Integer.parseInt(nk[1]) : 1;
      for (int i = 0; i < k; i++) out.add(nk[0]);
    }
    return out;
  }
}
