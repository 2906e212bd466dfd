package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Topology-aware gang placement on the `small` cluster (16 nodes x 8 GPUs, 2 racks, 4 NVLink
 * domains of 4 nodes): Gangway decides, kube-scheduler binds. Each test starts from an empty cluster.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class PlacementE2eTest {
  private static final String CLIQUE = "nvidia.com/gpu.clique";
  private static final String RACK = "network.topology.kubernetes.io/rack";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final ClusterUnderTest cluster;
  private Kube kube;

  PlacementE2eTest(E2eEnvironment env) {
    this.cluster = env.clusterUnderTest();
  }

  @BeforeEach
  void namespaceAndTopology() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    cluster.kubectlOk("apply", "-f", cluster.topology().toString());
    kube = Kube.inFreshNamespace(cluster, "place");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void aGangRequiringOneNvlinkDomainLandsInOne() {
    kube.apply(job("nvl", 4, "required: nvlink-domain"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("nvl")).isEqualTo("Running"));
    assertThat(labelsOf(nodesByRank("nvl"), CLIQUE)).hasSize(1);
    JsonNode placement = kube.get("tj", "nvl").path("status").path("placement");
    assertThat(placement.path("domainsSpanned").path("nvlink-domain").asInt()).isEqualTo(1);
    assertThat(placement.path("predictedAllReduceMillis").asDouble()).isPositive();
    assertThat(kube.condition("nvl", "Placed").path("status").asText()).isEqualTo("True");
    // Gangway pins, kube-scheduler binds: nodeName is set by the scheduler to the pinned node.
    for (JsonNode pod : kube.pods("nvl")) {
      String pinned = pod.path("spec").path("affinity").path("nodeAffinity").path("requiredDuringSchedulingIgnoredDuringExecution")
          .path("nodeSelectorTerms").get(0).path("matchFields").get(0).path("values").get(0).asText();
      assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo(pinned);
    }
  }

  @Test
  void aJobAppliedBeforeTheClusterTopologyItNamesWaitsForItAndStartsOnceTheTopologyIsApplied() throws Exception {
    // One kubectl apply of a directory may send the job before the platform's topology: it waits, not fails.
    String topology = "late-" + kube.namespace();
    kube.apply(job("early", 2, "topologyName: " + topology + "\n    required: nvlink-domain"));
    awaitWaiting("early", "TopologyNotFound", "ClusterTopology '" + topology + "' does not exist");
    assertThat(kube.phase("early")).isEqualTo("Pending");
    assertThat(kube.pods("early")).isEmpty();
    String copy = java.nio.file.Files.readString(cluster.topology())
        .replaceFirst("(?m)^(metadata:\\s*\\n\\s+name:\\s*)\\S+", "$1" + topology);
    assertThat(copy).contains("name: " + topology);
    try {
      kube.apply(copy);
      // Its arrival wakes the job: it is placed and runs in one NVLink domain.
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("early")).isEqualTo("Running"));
      assertThat(labelsOf(nodesByRank("early"), CLIQUE)).hasSize(1);
    } finally {
      // Cluster-scoped: with two topologies and neither named 'default', other tests' jobs could not choose one.
      cluster.kubectlOk("delete", "clustertopology", topology, "--ignore-not-found");
    }
  }

  @Test
  void aGangThatFitsNoDomainNowWaitsWithTheReasonAndStartsWhenCapacityFrees() {
    // 4 x 8 GPUs free, but no domain with room for 4 ranks.
    leaveOneRankOfRoomPerNvlinkDomain();
    kube.apply(job("waiter", 4, "required: nvlink-domain"));
    awaitWaiting("waiter", "RequiredLevelTooSmall", "one nvlink-domain");
    // Placed before created: a gang that waits has no pods.
    assertThat(kube.pods("waiter")).isEmpty();

    kube.kubectl("delete", "tj", "filler-2");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("waiter")).isEqualTo("Running"));
    assertThat(labelsOf(nodesByRank("waiter"), CLIQUE)).hasSize(1);
  }

  @Test
  void aGangAskingToWaitForATighterPlacementHoldsOutForItThenTakesWhatThereIsWhenItsWaitEnds() {
    // A 4-rank gang fits now only across all four NVLink domains, in both racks.
    leaveOneRankOfRoomPerNvlinkDomain();
    kube.apply(job("patient", 4, "waitForTighterSeconds: 600"));
    awaitWaiting("patient", "WaitingForTighterPlacement", "it fits now on 1 block and 2 racks and 4 nvlink-domains; on the nodes "
        + "usable now, were they idle, on 1 block and 1 rack and 1 nvlink-domain");
    assertThat(kube.pods("patient")).as("holding out, it has no pods").isEmpty();

    kube.kubectl("delete", "tj", "filler-2");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("patient")).isEqualTo("Running"));
    assertThat(labelsOf(nodesByRank("patient"), CLIQUE)).as("the freed domain, whole").hasSize(1);

    // Three domains with one rank's room each are left. A gang that waits at most 15 s for one domain gets three.
    kube.apply(job("brief", 3, "waitForTighterSeconds: 15"));
    await().atMost(WAIT.plusSeconds(15)).untilAsserted(() -> assertThat(kube.phase("brief")).as(() -> kube.describe("brief"))
        .isEqualTo("Running"));
    assertThat(labelsOf(nodesByRank("brief"), CLIQUE)).hasSize(3);
    assertThat(kube.kubectl("get", "events", "--field-selector", "involvedObject.name=brief", "-o", "jsonpath={.items[*].message}"))
        .as("it held out first").contains("Holding out for that until");
  }

  @Test
  void aGangThatLeavesTheWaitUnsetHoldsOutForTheOperatorsDefaultThenTakesWhatThereIs() {
    leaveOneRankOfRoomPerNvlinkDomain();
    kube.apply(job("unset", 4, ""));
    awaitWaiting("unset", "WaitingForTighterPlacement", "it fits now on 1 block and 2 racks and 4 nvlink-domains");
    assertThat(kube.pods("unset")).as("holding out, it has no pods").isEmpty();
    // Nothing frees up: once the default wait (30 s, TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS) ends it takes the four.
    await().atMost(WAIT.plusSeconds(30)).untilAsserted(() -> assertThat(kube.phase("unset")).as(() -> kube.describe("unset"))
        .isEqualTo("Running"));
    assertThat(labelsOf(nodesByRank("unset"), CLIQUE)).hasSize(4);
  }

  @Test
  void gangsBehindAPatientHeadArePlacedAroundTheCapacityItHolds() {
    // Four nodes are free, one per NVLink domain; the patient head holds one of them for the domain it waits for.
    leaveOneRankOfRoomPerNvlinkDomain();
    kube.apply(job("patient", 4, "waitForTighterSeconds: 600"));
    awaitWaiting("patient", "WaitingForTighterPlacement", "Holding out for that until");

    // Left to tree order, the first single rank would take the held node; the three free around it are taken instead.
    for (int i = 0; i < 3; i++) {
      String name = "single-" + i;
      kube.apply(job(name, 1, ""));
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(name)).as(() -> kube.describe(name)).isEqualTo("Running"));
    }
    kube.apply(job("single-3", 1, ""));
    awaitWaiting("single-3", "QueuedBehind", "patient is first in the queue");
    assertThat(kube.pods("single-3")).as("8 GPUs are free, but held").isEmpty();

    // The head gone, its capacity is no longer held.
    kube.kubectl("delete", "tj", "patient");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("single-3")).isEqualTo("Running"));
  }

  @Test
  void twoGangsSubmittedTogetherNeverCollide() {
    kube.apply(job("left", 8, "") + "---\n" + job("right", 8, ""));
    for (String job : List.of("left", "right")) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(job)).as(() -> kube.describe(job)).isEqualTo("Running"));
    }
    List<String> left = nodesByRank("left");
    List<String> right = nodesByRank("right");
    assertThat(new HashSet<>(left)).hasSize(8).doesNotContainAnyElementsOf(right);
    assertThat(new HashSet<>(right)).hasSize(8);
  }

  @Test
  void theTemplatesNodeSelectorIsHonoured() {
    kube.apply(job("rack1", 2, "").replace("    spec:\n      containers:",
        "    spec:\n      nodeSelector:\n        " + RACK + ": rack-1\n      containers:"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("rack1")).isEqualTo("Running"));
    assertThat(labelsOf(nodesByRank("rack1"), RACK)).containsExactly("rack-1");
  }

  @Test
  void eachTensorParallelGroupSharesAnNvlinkDomainAndRanksAreInRingOrder() {
    kube.apply(job("tp", 8, "groupSize: 4\n    groupLevel: nvlink-domain"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("tp")).isEqualTo("Running"));
    List<String> nodes = nodesByRank("tp");
    assertThat(labelsOf(nodes.subList(0, 4), CLIQUE)).hasSize(1);
    assertThat(labelsOf(nodes.subList(4, 8), CLIQUE)).hasSize(1);
    // One ring crossing out of each domain and back: the fewest possible for two domains.
    JsonNode crossings = kube.get("tj", "tp").path("status").path("placement").path("ringCrossings");
    assertThat(crossings.path("nvlink-domain").asInt()).isEqualTo(2);
  }

  @Test
  void aRankKubeSchedulerRefusesForAConstraintPlacementCannotSeeTimesOutAndIsPlacedElsewhere() {
    // A pod the rank must not share a node with (pod anti-affinity: invisible to placement), on the node best fit
    // prefers for a 1-GPU rank: the one with exactly 1 GPU free.
    kube.apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: blocker
          labels: {app: blocker}
        spec:
          nodeSelector: {kubernetes.io/hostname: small-gpu-05}
          containers:
          - name: main
            image: busybox
            resources: {limits: {nvidia.com/gpu: "7"}}
        """);
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.get("pod", "blocker").path("status").path("phase").asText())
        .isEqualTo("Running"));
    // Kept to small-gpu-05 and -06, so the decision lands on -05 whether or not the operator's cache shows the blocker yet
    // (best fit, or the first node by name): the job is placed as soon as it is applied.
    kube.apply(Manifests.trainingJob("shy", 1, 1, "").replace("    spec:\n      containers:", "    spec:\n      affinity:\n"
        + "        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n"
        + "            - matchExpressions:\n              - {key: kubernetes.io/hostname, operator: In, values: [small-gpu-05, small-gpu-06]}\n"
        + "        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
        + "          - labelSelector: {matchLabels: {app: blocker}}\n            topologyKey: kubernetes.io/hostname\n      containers:"));

    // The default bind timeout is 60 s; the job wakes itself at the deadline.
    await().atMost(Duration.ofSeconds(150)).untilAsserted(() -> assertThat(kube.phase("shy")).as(() -> kube.describe("shy"))
        .isEqualTo("Running"));
    JsonNode avoided = kube.get("tj", "shy").path("status").path("placement").path("avoidedNodes");
    assertThat(avoided).as(() -> kube.describe("shy")).hasSize(1);
    assertThat(avoided.get(0).path("node").asText()).isEqualTo("small-gpu-05");
    assertThat(avoided.get(0).path("reason").asText()).isEqualTo("BindTimeout");
    assertThat(avoided.get(0).path("message").asText()).contains("didn't match pod anti-affinity rules")
        .doesNotContain("node affinity/selector");
    assertThat(nodesByRank("shy")).doesNotContain("small-gpu-05");
    assertThat(kube.kubectl("get", "events", "--field-selector", "involvedObject.name=shy", "-o", "jsonpath={.items[*].reason}"))
        .contains("BindTimeout");
  }

  /** Three running ranks of 8 GPUs in each NVLink domain ("filler-0" to "filler-3"), so each has one rank's room left. */
  private void leaveOneRankOfRoomPerNvlinkDomain() {
    for (int i = 0; i < 4; i++) {
      kube.apply(job("filler-" + i, 3, "required: nvlink-domain"));
      String name = "filler-" + i;
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(name)).isEqualTo("Running"));
    }
  }

  /** Waits until the job's Placed condition is False with this reason and a message containing {@code message}. */
  private void awaitWaiting(String job, String reason, String message) {
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode placed = kube.condition(job, "Placed");
      assertThat(placed.path("status").asText()).isEqualTo("False");
      assertThat(placed.path("reason").asText()).isEqualTo(reason);
      assertThat(placed.path("message").asText()).contains(message);
    });
  }

  /** Nodes the ranks are bound to, in rank order. */
  private List<String> nodesByRank(String job) {
    List<JsonNode> pods = new ArrayList<>(kube.pods(job));
    pods.sort(Comparator.comparingInt(p -> p.path("metadata").path("labels").path("gangway.dev/rank").asInt()));
    return pods.stream().map(p -> p.path("spec").path("nodeName").asText()).toList();
  }

  private Set<String> labelsOf(List<String> nodes, String label) {
    Set<String> values = new HashSet<>();
    for (String node : nodes) {
      values.add(kube.node(node).path("metadata").path("labels").path(label).asText());
    }
    return values;
  }

  private static String job(String name, int replicas, String topology) {
    return Manifests.trainingJob(name, replicas, 8, topology.isEmpty() ? "" : "  topology:\n    " + topology + "\n");
  }
}
