package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants of every decision on random small clusters. The checks use their own reading of node
 * labels and resources (an oracle written apart from the engine), so a bug in the engine's domain
 * tree or filters shows up here rather than being repeated.
 */
class PlacementInvariantsTest {

  private final PlacementEngine engine = new PlacementEngine();

  /** Seeded random clusters and requests: the same 400 cases every run, so a failure names its seed and replays. */
  static Stream<Scenario> scenarios() {
    return LongStream.range(0, 400).mapToObj(seed -> Scenario.random(seed * 7919 + 17));
  }

  /** The generator must reach both outcomes often, or the other invariants check little. */
  @org.junit.jupiter.api.Test
  void scenariosCoverBothPlacedAndUnplacedGangs() {
    long placed = scenarios().filter(s -> engine.place(s.snapshot(), s.request()).placed()).count();
    assertThat(placed).isBetween(100L, 300L);
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void allOrNothing(Scenario s) {
    PlacementResult r = engine.place(s.snapshot(), s.request());
    if (r.placed()) {
      assertThat(r.nodes()).hasSize(s.request().replicas()).doesNotContainNull();
      assertThat(r.reason()).isNull();
      assertThat(r.quality()).isNotNull();
    } else {
      assertThat(r.nodes()).isNull();
      assertThat(r.reason()).isNotBlank();
      assertThat(r.message()).isNotBlank();
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void neverOvercommitsANode(Scenario s) {
    PlacementResult r = engine.place(s.snapshot(), s.request());
    if (!r.placed()) return;
    Map<String, Integer> ranksOn = new HashMap<>();
    r.nodes().forEach(n -> ranksOn.merge(n, 1, Integer::sum));
    ranksOn.forEach((node, k) -> {
      Resources asked = s.request().perRank().times(k);
      Resources free = oracleFree(s, node);
      String what = String.format("%d ranks of %s on %s with %s free", k, s.request().perRank(), node, free);
      // Only what a rank asks for is checked, as kube-scheduler does.
      if (asked.gpus() > 0) assertThat(asked.gpus()).as(what).isLessThanOrEqualTo(free.gpus());
      if (asked.cpuMillis() > 0) assertThat(asked.cpuMillis()).as(what).isLessThanOrEqualTo(free.cpuMillis());
      if (asked.memoryBytes() > 0) assertThat(asked.memoryBytes()).as(what).isLessThanOrEqualTo(free.memoryBytes());
    });
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void everyRankSatisfiesTheTemplateConstraints(Scenario s) {
    PlacementResult r = engine.place(s.snapshot(), s.request());
    if (!r.placed()) return;
    for (String node : r.nodes()) {
      assertThat(eligible(s, byName(s, node))).as("node %s", node).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void theWholeGangSharesOneDomainOfTheRequiredLevel(Scenario s) {
    PlacementResult r = engine.place(s.snapshot(), s.request());
    String level = s.request().requiredLevel();
    if (!r.placed() || level == null) return;
    int l = s.snapshot().topology().level(level).orElseThrow().index();
    assertThat(r.nodes().stream().map(n -> domainKey(s, n, l)).distinct()).hasSize(1);
    assertThat(r.quality().domainsSpanned().get(level)).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void eachGroupOfConsecutiveRanksSharesOneDomainOfTheGroupLevel(Scenario s) {
    PlacementResult r = engine.place(s.snapshot(), s.request());
    int g = s.request().groupSize();
    if (!r.placed() || g <= 1) return;
    int l = s.snapshot().topology().level(s.request().groupLevel()).orElseThrow().index();
    for (int start = 0; start < r.nodes().size(); start += g) {
      assertThat(r.nodes().subList(start, start + g).stream().map(n -> domainKey(s, n, l)).distinct())
          .as("ranks %d..%d", start, start + g - 1).hasSize(1);
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void sameSnapshotAndRequestGiveTheSameResultWhateverTheNodeListOrder(Scenario s) {
    PlacementResult first = engine.place(s.snapshot(), s.request());
    PlacementResult again = engine.place(s.snapshot(), s.request());
    List<NodeState> reversed = new ArrayList<>(s.nodes());
    Collections.reverse(reversed);
    PlacementResult reordered = engine.place(new ClusterSnapshot(s.snapshot().topology(), reversed, s.snapshot().reservations()),
        s.request());
    assertThat(again).isEqualTo(first);
    assertThat(reordered).isEqualTo(first);
  }

  /** Not only safe but complete: without groups, the gang is placed exactly when the oracle finds room. */
  @ParameterizedTest
  @MethodSource("scenarios")
  void placesWheneverSomeDomainOfTheRequiredLevelHasRoom(Scenario s) {
    if (s.request().groupSize() > 1) return;
    PlacementResult r = engine.place(s.snapshot(), s.request());
    String level = s.request().requiredLevel();
    int l = level == null ? -1 : s.snapshot().topology().level(level).orElseThrow().index();
    boolean room = largestDomainCapacity(s, l) >= s.request().replicas();
    assertThat(r.placed()).as("room=%s, reason %s", room, r.message()).isEqualTo(room);
  }

  /** Best fit goes as deep as it can: if one domain of a level could hold the gang, the gang uses one. */
  @ParameterizedTest
  @MethodSource("scenarios")
  void usesASingleDomainAtEveryLevelWhereOneCouldHoldTheGang(Scenario s) {
    if (s.request().groupSize() > 1) return;
    PlacementResult r = engine.place(s.snapshot(), s.request());
    if (!r.placed()) return;
    for (Level level : s.snapshot().topology().levels()) {
      if (largestDomainCapacity(s, level.index()) >= s.request().replicas()) {
        assertThat(r.quality().domainsSpanned().get(level.name())).as(level.name()).isEqualTo(1);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void neverBeatsItsOwnLowerBound(Scenario s) {
    PlacementResult r = engine.place(s.snapshot(), s.request());
    if (!r.placed()) return;
    PlacementQuality q = r.quality();
    q.domainsSpanned().forEach((level, k) -> assertThat(k).as(level).isGreaterThanOrEqualTo(q.lowerBoundDomains().get(level)));
    assertThat(q.predictedAllReduceSeconds()).isGreaterThanOrEqualTo(q.lowerBoundAllReduceSeconds() * (1 - 1e-9));
    assertThat(q.ringCost()).isGreaterThanOrEqualTo(q.lowerBoundRingCost() * (1 - 1e-9));
  }

  // --- the oracle: plain readings of the scenario, independent of the engine's tree and filters

  private static NodeState byName(Scenario s, String name) {
    return s.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  private static Resources oracleFree(Scenario s, String node) {
    Resources free = byName(s, node).free();
    for (Reservation r : s.snapshot().reservations()) {
      if (r.node().equals(node) && !r.jobKey().equals(s.request().jobKey())) free = free.minus(r.resources());
    }
    return free;
  }

  private static boolean eligible(Scenario s, NodeState n) {
    GangRequest q = s.request();
    if (!n.ready() || n.unschedulable() || q.excludedNodes().contains(n.name())) return false;
    boolean tolerates = !q.tolerations().isEmpty();
    boolean hardTaint = n.taints().stream().anyMatch(t -> !"PreferNoSchedule".equals(t.getEffect()));
    if (hardTaint && !tolerates) return false;
    return q.nodeSelector().entrySet().stream().allMatch(e -> e.getValue().equals(n.labels().get(e.getKey())));
  }

  private static long ranksFit(Scenario s, NodeState n) {
    if (!eligible(s, n)) return 0;
    Resources free = oracleFree(s, n.name());
    Resources each = s.request().perRank();
    long k = s.request().replicas();
    if (each.gpus() > 0) k = Math.min(k, free.gpus() / each.gpus());
    if (each.cpuMillis() > 0) k = Math.min(k, free.cpuMillis() / each.cpuMillis());
    if (each.memoryBytes() > 0) k = Math.min(k, free.memoryBytes() / each.memoryBytes());
    return Math.max(0, k);
  }

  /** Labels of levels 0..level, a missing one replaced by the node's own name: equal keys = same domain. */
  private static String domainKey(Scenario s, String node, int level) {
    NodeState n = byName(s, node);
    Topology topo = s.snapshot().topology();
    StringBuilder key = new StringBuilder();
    for (int l = 0; l <= level; l++) {
      String v = n.labels().get(topo.level(l).nodeLabel());
      key.append(v == null ? "?own:" + node : v).append('/');
    }
    return key.toString();
  }

  private static long largestDomainCapacity(Scenario s, int level) {
    Map<String, Long> byDomain = new HashMap<>();
    for (NodeState n : s.nodes()) {
      String key = level < 0 ? "cluster" : domainKey(s, n.name(), level);
      byDomain.merge(key, ranksFit(s, n), Long::sum);
    }
    return byDomain.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }
}
