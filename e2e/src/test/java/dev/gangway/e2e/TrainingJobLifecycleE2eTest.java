package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a researcher sees with kubectl on a real kube-apiserver, kube-scheduler and controller-manager,
 * with GPU nodes simulated by KWOK and the packaged operator running as its own process. Portable:
 * on a cluster given by kubeconfig, the tests that end ranks with an exit code are skipped unless
 * it runs KWOK's stages.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class TrainingJobLifecycleE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final ClusterUnderTest cluster;
  private final FaultInjector faults;
  private Kube kube;

  TrainingJobLifecycleE2eTest(E2eEnvironment env) {
    this.cluster = env.clusterUnderTest();
    this.faults = cluster.faults();
  }

  @BeforeEach
  void namespace() {
    kube = Kube.inFreshNamespace(cluster, "e2e");
  }

  @AfterEach
  void freeTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void examplesRunOnGpuNodesToSuccessAndShowInKubectlGet() throws IOException {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    // Before anything is created: the examples' finish needs it.
    cluster.assume(Capability.RANK_EXIT_CODES);
    // The checkpointing example claims a ReadWriteMany volume; here a static PV stands in for a storage class.
    cluster.kubectlWithInput(hostPathVolume(kube.namespace()), "apply", "-f", "-").assertOk();
    List<Path> examples;
    try (Stream<Path> files = Files.list(E2eEnvironment.REPO.resolve("examples"))) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path example : examples) {
      kube.kubectl("apply", "-f", example.toString());
    }
    Map<String, Integer> jobs = Map.of("pytorch-ddp", 4, "jax-tp-groups", 8, "llm-pretrain", 2);

    jobs.forEach((job, ranks) -> await(job + " Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(job)).isEqualTo("Running")));
    jobs.forEach((job, ranks) -> {
      List<JsonNode> pods = kube.pods(job);
      assertThat(pods).hasSize(ranks);
      for (JsonNode pod : pods) {
        String node = pod.path("spec").path("nodeName").asText();
        assertThat(node).as("kube-scheduler bound %s", pod.path("metadata").path("name").asText()).isNotEmpty();
        assertThat(kube.node(node).path("status").path("allocatable").path("nvidia.com/gpu").asInt()).isEqualTo(8);
        assertThat(pod.path("spec").path("containers").get(0).path("resources").path("limits").path("nvidia.com/gpu").asText())
            .isEqualTo("8");
      }
    });

    String table = kube.kubectl("get", "tj");
    // The CRD generator orders printer columns by name, so AGE is not last.
    assertThat(table.lines().findFirst().orElseThrow().split("\\s+")).containsExactlyInAnyOrder("NAME", "PHASE", "READY", "GPUS", "RESTARTS", "GOODPUT",
        "AGE");
    assertThat(columns(table, "pytorch-ddp")).containsEntry("PHASE", "Running").containsEntry("READY", "4/4")
        .containsEntry("GPUS", "32").containsEntry("RESTARTS", "0");
    assertThat(columns(table, "jax-tp-groups")).containsEntry("PHASE", "Running").containsEntry("READY", "8/8")
        .containsEntry("GPUS", "64");

    faults.finishRanks(kube, "gangway.dev/job-name");
    jobs.keySet().forEach(job -> await(job + " Succeeded").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(job)).isEqualTo("Succeeded")));
    assertThat(kube.condition("pytorch-ddp", "Succeeded").path("reason").asText()).isEqualTo("AllRanksSucceeded");
    // Every second it ran counts as useful once it succeeded; its start-up does not.
    assertThat(Double.parseDouble(columns(kube.kubectl("get", "tj"), "pytorch-ddp").get("GOODPUT"))).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
    assertThat(kube.kubectl("get", "events", "--field-selector", "involvedObject.name=pytorch-ddp"))
        .contains("Started", "Running", "Succeeded");
  }

  @Test
  void deletingAJobGarbageCollectsItsPodsAndService() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube.apply(job("doomed", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.pods("doomed")).hasSize(2));
    assertThat(kube.kubectl("get", "service", "doomed", "-o", "jsonpath={.spec.clusterIP}")).isEqualTo("None");

    kube.kubectl("delete", "tj", "doomed", "--wait=false");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(kube.pods("doomed")).isEmpty();
      assertThat(kube.get("services").path("items").findValuesAsText("name")).doesNotContain("doomed");
    });
  }

  @Test
  void aPermanentErrorFailsTheJobWithItsExitCodeAndFreesTheOtherRanks() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    cluster.assume(Capability.RANK_EXIT_CODES);
    kube.apply(job("crashy", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("crashy")).isEqualTo("Running"));
    // Exit code 2 is a usage error by default: restarting cannot help.
    faults.exitRanks(kube, "gangway.dev/job-name=crashy,gangway.dev/rank=1", 2);

    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("crashy")).isEqualTo("Failed"));
    JsonNode failed = kube.condition("crashy", "Failed");
    assertThat(failed.path("reason").asText()).isEqualTo("PermanentFailure");
    assertThat(failed.path("message").asText()).contains("rank 1", "exit code 2");
    assertThat(kube.get("tj", "crashy").path("status").path("restarts").asInt()).isZero();
    // The surviving rank held 8 GPUs; a failed gang must not keep them.
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.pods("crashy")).extracting(p -> p.path("status").path("phase").asText())
        .containsExactly("Failed"));
  }

  @Test
  void suspendRemovesPodsAndResumeStartsTheGangAgain() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube.apply(job("queued", 2, 8, "  suspend: true\n"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("queued")).isEqualTo("Suspended"));
    assertThat(kube.pods("queued")).isEmpty();

    kube.kubectl("patch", "tj", "queued", "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("queued")).isEqualTo("Running"));
    kube.kubectl("patch", "tj", "queued", "--type=merge", "-p", "{\"spec\":{\"suspend\":true}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(kube.phase("queued")).isEqualTo("Suspended");
      assertThat(kube.pods("queued")).isEmpty();
    });
  }

  @Test
  void invalidManifestsAreRejectedAtApplyWithTheRulesMessage() {
    Command.Result zero = kube.tryApply(job("zero", 0, 8, ""));
    assertThat(zero.exitCode()).isNotZero();
    assertThat(zero.stderr()).contains("spec.replicas", "should be greater than or equal to 1");

    Command.Result groups = kube.tryApply(job("groups", 4, 8, "  topology:\n    groupSize: 3\n    groupLevel: nvlink-domain\n"));
    assertThat(groups.exitCode()).isNotZero();
    assertThat(groups.stderr()).contains("spec.topology.groupSize must divide spec.replicas");

    Command.Result framework = kube.tryApply(job("fw", 1, 8, "").replace("framework: pytorch", "framework: tensorflow"));
    assertThat(framework.stderr()).contains("Unsupported value: \"tensorflow\"");

    Command.Result inPlace = kube.tryApply(job("jaxinplace", 2, 8, Manifests.failurePolicy("inPlaceRestarts: 2", 1))
        .replace("framework: pytorch", "framework: jax"));
    assertThat(inPlace.exitCode()).isNotZero();
    assertThat(inPlace.stderr()).contains("spec.failurePolicy.inPlaceRestarts needs framework pytorch");

    // A valid object name for the API server, but not for the job's Service and rank hostnames.
    Command.Result dotted = kube.tryApply(job("llama.70b", 1, 8, ""));
    assertThat(dotted.exitCode()).isNotZero();
    assertThat(dotted.stderr()).contains("metadata.name: a TrainingJob name must start with a lower-case letter");
    Command.Result tooLong = kube.tryApply(job("j".repeat(51), 1, 8, ""));
    assertThat(tooLong.exitCode()).isNotZero();
    assertThat(tooLong.stderr()).contains("metadata.name: a TrainingJob name must be at most 50 characters");
    assertThat(kube.tryApply(job("j".repeat(50), 1, 8, "")).exitCode()).as("50 characters are fine").isZero();
  }

  @Test
  void aRunningGangsShapeIsImmutableUnlessSuspended() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube.apply(job("fixed", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("fixed")).isEqualTo("Running"));

    Command.Result resize = cluster.kubectl("patch", "tj", "fixed", "-n", kube.namespace(), "--type=merge", "-p", "{\"spec\":{\"replicas\":4}}");
    assertThat(resize.exitCode()).isNotZero();
    assertThat(resize.stderr()).contains("spec.replicas and spec.gpusPerReplica cannot change while the job runs");
    Command.Result inPlace = cluster.kubectl("patch", "tj", "fixed", "-n", kube.namespace(), "--type=merge", "-p",
        "{\"spec\":{\"failurePolicy\":{\"inPlaceRestarts\":2}}}");
    assertThat(inPlace.exitCode()).isNotZero();
    assertThat(inPlace.stderr()).contains("spec.failurePolicy.inPlaceRestarts cannot change while the job runs");

    kube.kubectl("patch", "tj", "fixed", "--type=merge", "-p", "{\"spec\":{\"replicas\":4,\"suspend\":true}}");
    assertThat(kube.get("tj", "fixed").path("spec").path("replicas").asInt()).isEqualTo(4);
  }

  @Test
  void whatOnlyTheOperatorCanJudgeEndsAsInvalidSpecWithoutPods() {
    String manifest = job("conflict", 2, 8, "").replace("image: busybox",
        "image: busybox\n        resources:\n          limits:\n            nvidia.com/gpu: \"4\"");
    kube.apply(manifest);
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("conflict")).isEqualTo("Failed"));
    JsonNode failed = kube.condition("conflict", "Failed");
    assertThat(failed.path("reason").asText()).isEqualTo("InvalidSpec");
    assertThat(failed.path("message").asText()).contains("limits[nvidia.com/gpu] is 4 but spec.gpusPerReplica is 8");
    assertThat(kube.pods("conflict")).isEmpty();
  }

  @Test
  void aPodSpecTheApiServerRefusesEndsAsInvalidSpecWithTheServersMessage() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    // Container names must be RFC 1123 labels: the CRD schema cannot tell, the API server refuses the pod (HTTP 422).
    kube.apply(job("refused", 2, 8, "").replace("- name: trainer", "- name: Trainer_Main"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("refused")).isEqualTo("Failed"));
    JsonNode failed = kube.condition("refused", "Failed");
    assertThat(failed.path("reason").asText()).isEqualTo("InvalidSpec");
    assertThat(failed.path("message").asText()).contains("Trainer_Main", "RFC 1123");
    assertThat(kube.pods("refused")).isEmpty();

    // Fixed by the user, the job starts over.
    kube.kubectl("patch", "tj", "refused", "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/name\",\"value\":\"trainer\"}]");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("refused")).isEqualTo("Running"));
  }

  /**
   * Real cluster DNS (CoreDNS's kubernetes plugin on the API server's EndpointSlices): each rank's name
   * resolves to exactly its own pod's IP (KWOK assigns them), and once a restart's pods exist never to a
   * pod of the attempt torn down. A pod asks for {@code J-r.J.N.svc} and its resolver's search list adds
   * the cluster domain, so the query here is the fully qualified name.
   */
  @Test
  void rankNamesResolveThroughClusterDnsToTheCurrentAttemptsPodsOnly() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    org.junit.jupiter.api.Assumptions.assumeTrue(cluster instanceof LocalCluster,
        "skipped on " + cluster.description() + ": the CoreDNS built here serves the local control plane; a given cluster has its own DNS");
    try (ClusterDns dns = ClusterDns.start((LocalCluster) cluster)) {
      kube.apply(job("dns", 2, 8, Manifests.failurePolicy("maxRestarts: 3", 1)));
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("dns")).isEqualTo("Running"));
      assertThat(kube.get("service", "dns").path("spec").path("selector").path("gangway.dev/attempt").asText()).isEqualTo("1");
      Map<String, String> first = awaitRankAddresses("dns", 1, 2);
      awaitResolvedExactly(dns, first, Set.of());

      // Any failure of a rank restarts the gang: a deleted pod is one every cluster can produce.
      faults.deletePods(kube, "gangway.dev/job-name=dns,gangway.dev/rank=1");
      // From the moment the new attempt's pods have their IPs, i.e. as soon as its ranks could look each other up.
      Map<String, String> second = awaitRankAddresses("dns", 2, 2);
      Set<String> oldOnly = new java.util.HashSet<>(first.values());
      oldOnly.removeAll(second.values());
      awaitResolvedExactly(dns, second, oldOnly);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(kube.get("tj", "dns").path("status").path("attempt").asInt()).isEqualTo(2);
        assertThat(kube.phase("dns")).isEqualTo("Running");
      });
      assertThat(kube.get("service", "dns").path("spec").path("selector").path("gangway.dev/attempt").asText()).isEqualTo("2");
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.get("endpointslices", "-l", "kubernetes.io/service-name=dns")
          .path("items").findValues("targetRef")).extracting(r -> r.path("name").asText())
          .containsExactlyInAnyOrder("dns-r0-a2", "dns-r1-a2"));
      // Still only the new pods, asked again after the job settled.
      second.forEach((name, ip) -> assertThat(dns.addresses(name)).as(name).containsExactly(ip));
    }
  }

  /** Each rank's fully qualified DNS name → its pod's IP, once all {@code ranks} pods of the attempt have one. */
  private Map<String, String> awaitRankAddresses(String job, int attempt, int ranks) {
    Map<String, String> addresses = new java.util.TreeMap<>();
    await().atMost(WAIT).until(() -> {
      addresses.clear();
      addresses.putAll(rankAddresses(job, attempt));
      return addresses.size() == ranks;
    });
    return addresses;
  }

  /** Each rank's fully qualified DNS name → its pod's IP, for the pods of one attempt that have an IP. */
  private Map<String, String> rankAddresses(String job, int attempt) {
    Map<String, String> addresses = new java.util.TreeMap<>();
    for (JsonNode pod : kube.pods(job)) {
      String ip = pod.path("status").path("podIP").asText();
      if (pod.path("metadata").path("labels").path("gangway.dev/attempt").asInt() == attempt && !ip.isEmpty()) {
        JsonNode spec = pod.path("spec");
        addresses.put(spec.path("hostname").asText() + "." + spec.path("subdomain").asText() + "." + kube.namespace()
            + ".svc." + ClusterDns.DOMAIN, ip);
      }
    }
    return addresses;
  }

  /**
   * Waits until every name resolves to exactly its address; every answer on the way (stale ones
   * included) must leave out {@code never}.
   */
  private static void awaitResolvedExactly(ClusterDns dns, Map<String, String> expected, Set<String> never) {
    assertThat(expected).isNotEmpty();
    List<String> stale = new java.util.concurrent.CopyOnWriteArrayList<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> expected.forEach((name, ip) -> {
      Set<String> answer = dns.addresses(name);
      answer.stream().filter(never::contains).forEach(old -> stale.add(name + " -> " + old));
      assertThat(answer).as(name + " (CoreDNS log:\n" + dns.logTail() + ")").containsExactly(ip);
    }));
    assertThat(stale).as("answers naming a pod of the old attempt").isEmpty();
  }

  static String job(String name, int replicas, int gpus, String extraSpec) {
    return Manifests.trainingJob(name, replicas, gpus, extraSpec);
  }

  /** One row of `kubectl get` output as header → value. */
  private static Map<String, String> columns(String table, String name) {
    String[] header = table.lines().findFirst().orElseThrow().trim().split("\\s+");
    String[] row = table.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow().trim().split("\\s+");
    Map<String, String> columns = new java.util.HashMap<>();
    for (int i = 0; i < header.length && i < row.length; i++) {
      columns.put(header[i], row[i]);
    }
    return columns;
  }

  private static String hostPathVolume(String namespace) {
    return """
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: checkpoints-%s
        spec:
          capacity: {storage: 1Ti}
          accessModes: [ReadWriteMany]
          persistentVolumeReclaimPolicy: Delete
          hostPath: {path: /tmp/gangway-e2e-checkpoints}
          claimRef: {namespace: %s, name: llm-checkpoints}
        """.formatted(namespace, namespace);
  }
}
