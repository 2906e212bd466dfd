package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.e2e.rbac.AuditedRequest;
import dev.gangway.e2e.rbac.Grant;
import dev.gangway.e2e.rbac.LeastPrivilege;
import dev.gangway.e2e.rbac.UnexercisedGrants;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Helm chart on a real API server, as a platform engineer uses it: {@code helm install} (CRDs from
 * the chart's crds/ included), the operator running with the chart's ServiceAccount token and the
 * environment of the chart's Deployment, a missing permission, two replicas behind the Lease,
 * {@code helm upgrade} under a running job and {@code helm uninstall}.
 *
 * <p>There is no image registry or kubelet here, so the chart's Deployment pods are "Running" on KWOK
 * nodes but run nothing (replicaCount stays at the chart's default of 2, so the PodDisruptionBudget is
 * rendered too). The operator runs as processes of the packaged jar instead, with exactly the
 * credentials and environment variables the Deployment would give its container. The shared admin
 * operator is stopped for this class and restarted after it.
 *
 * <p>The methods build on each other (install, then use, then upgrade, then uninstall) and run in order.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartInstallE2eTest {
  private static final String RELEASE = "gangway";
  private static final String SYSTEM = "gangway-system";
  private static final String SA_USER = "system:serviceaccount:" + SYSTEM + ":gangway";
  private static final List<String> CRDS = List.of("trainingjobs.gangway.dev", "clustertopologies.gangway.dev");
  /** JOSDK logs this (DEBUG) when it runs the reconciler for a job: only the leader does. */
  private static final String RECONCILING = "Running reconcile executor for: ExecutionScope{resource=ResourceID{name='%s', namespace='%s'}";
  /** What a replica without the lease logs (DEBUG) for a job's events: it sees them and does nothing. */
  private static final String FOLLOWER_SKIPS = "namespace='%s'}} because the event processor is not started";
  private static final Map<String, String> OPERATOR_PROPERTIES = Map.of(
      "quarkus.log.category.\"io.javaoperatorsdk.operator.processing.event.EventProcessor\".level", "DEBUG");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final E2eEnvironment env;
  private final LocalCluster cluster;
  private final Path chart = E2eEnvironment.REPO.resolve("charts/gangway");
  private final List<OperatorProcess> started = new ArrayList<>();
  private final Map<OperatorProcess, String> identities = new HashMap<>();
  private Path saKubeconfig;
  /** The release's rendered objects ({@code helm get manifest}) as the operator last ran on them, judged by the audit log. */
  private String releaseManifest;
  /** The scoped (watchNamespaces) release's, and the namespace it watched. */
  private String scopedManifest;
  private String scopedWatched;
  /** Where aPermissionTheChartLacks... took create on pods away: the 403s it provoked there are expected. */
  private String deniedNamespace;
  private OperatorProcess leader;
  private int operators;
  private Kube kube;

  ChartInstallE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.cluster();
  }

  @BeforeAll
  void installTheChart() {
    env.operator().close();
    // E2eEnvironment applied the CRDs; a cluster that never had Gangway has none, and `helm install`
    // must create them from the chart's crds/.
    List<String> delete = new ArrayList<>(List.of("delete", "crd", "--ignore-not-found", "--timeout=120s"));
    delete.addAll(CRDS);
    cluster.kubectlOk(delete.toArray(String[]::new));

    long t0 = System.nanoTime();
    helm("install", RELEASE, chart.toString(), "-n", SYSTEM, "--create-namespace").assertOk();
    log("helm install: %d ms", (System.nanoTime() - t0) / 1_000_000);
    for (String crd : CRDS) {
      await(crd + " established").atMost(WAIT).until(() -> cluster.kubectl("get", "crd", crd, "-o",
          "jsonpath={.status.conditions[?(@.type==\"Established\")].status}").stdout().strip().equals("True"));
      assertThat(cluster.kubectlOk("get", "crd", crd, "-o", "jsonpath={.metadata.managedFields[*].manager}"))
          .as("%s was created by helm", crd).contains("helm");
    }
    cluster.kubectlOk("rollout", "status", "deployment/gangway", "-n", SYSTEM, "--timeout=60s");
    saKubeconfig = serviceAccountKubeconfig(RELEASE, SYSTEM);
    leader = startOperator();
    awaitLeader(leader);
  }

  @AfterAll
  void removeTheReleaseAndRestoreTheSharedOperator() {
    try {
      started.stream().filter(OperatorProcess::isAlive).forEach(OperatorProcess::close);
      if (helm("status", RELEASE, "-n", SYSTEM).exitCode() == 0) {
        helm("uninstall", RELEASE, "-n", SYSTEM, "--wait", "--timeout=60s");
      }
      cluster.kubectl("delete", "namespace", SYSTEM, "--ignore-not-found", "--timeout=60s");
      // Whatever happened above, later test classes need the CRDs (the same files, as E2eEnvironment applies them).
      cluster.kubectlOk("apply", "--server-side", "--force-conflicts", "-f", E2eEnvironment.REPO.resolve("crds").toString());
      for (String crd : CRDS) {
        await(crd + " established").atMost(WAIT).until(() -> cluster.kubectl("get", "crd", crd, "-o",
            "jsonpath={.status.conditions[?(@.type==\"Established\")].status}").stdout().strip().equals("True"));
      }
    } finally {
      env.restartOperator();
    }
  }

  @BeforeEach
  void namespace() {
    kube = Kube.inFreshNamespace(cluster, "chart");
  }

  @AfterEach
  void freeTheCluster() {
    kube.deleteNamespace(WAIT);
  }

  @Test
  @Order(1)
  void theChartsServiceAccountMayDoEverythingAJobNeeds() {
    long mark = logLength(leader);
    // The Lease is where the chart's Deployment says: its namespace (POD_NAMESPACE) and name.
    assertThat(lease().path("metadata").path("name").asText()).isEqualTo("gangway-leader");

    kube.apply(TrainingJobLifecycleE2eTest.job("chart-job", 2, 8, "  ttlSecondsAfterFinished: 5\n"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("chart-job")).as(() -> kube.describe("chart-job")).isEqualTo("Running"));
    assertThat(kube.pods("chart-job")).hasSize(2).allSatisfy(p -> assertThat(p.path("spec").path("nodeName").asText()).isNotEmpty());
    // In the order they happened, though the first two share a second: eventTime is to the microsecond.
    List<String> reasons = List.of(kube.kubectl("get", "events", "--field-selector", "involvedObject.name=chart-job",
        "--sort-by=.eventTime", "-o", "jsonpath={range .items[*]}{.reason}{\" \"}{end}").strip().split(" "));
    assertThat(reasons).as("events by eventTime").containsSubsequence("Started", "Running").containsSubsequence("Placed", "Running");
    // A rank's checkpoint report: the operator reviews the token (tokenreviews create) and reads the pod it is bound to (pods get).
    String report = JSON.createObjectNode().put("namespace", kube.namespace()).put("name", "chart-job")
        .put("uid", kube.get("tj", "chart-job").path("metadata").path("uid").asText()).put("attempt", 1).put("step", 10)
        .put("path", "/ckpt/10").toString();
    try {
      var stored = Intake.post(leader.url(), "/api/v1/checkpoints", report, Intake.rankToken(cluster, kube.namespace(), "chart-job"));
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }

    kube.kubectl("annotate", "pods", "-l", "gangway.dev/job-name=chart-job", "gangway.dev/e2e-succeed-after=1s");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("chart-job")).isEqualTo("Succeeded"));
    assertThat(kube.condition("chart-job", "Succeeded").path("reason").asText()).isEqualTo("AllRanksSucceeded");
    // ttlSecondsAfterFinished: the operator deletes the finished job itself (needs delete on trainingjobs).
    await("TTL deletes the job").atMost(WAIT)
        .until(() -> cluster.kubectl("get", "tj", "chart-job", "-n", kube.namespace()).exitCode() != 0);

    // An MPI job: its hostfile ConfigMap and its ssh key Secret are created on the chart's grants (create only, for Secrets).
    kube.apply(TrainingJobLifecycleE2eTest.job("chart-mpi", 2, 1, "").replace("framework: pytorch", "framework: mpi"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("chart-mpi")).as(() -> kube.describe("chart-mpi")).isEqualTo("Running"));
    String mpiUid = kube.get("tj", "chart-mpi").path("metadata").path("uid").asText();
    assertThat(kube.kubectl("get", "secrets", "-l", "gangway.dev/job-name=chart-mpi", "-o", "jsonpath={.items[*].metadata.ownerReferences[0].uid}").strip())
        .as("one Secret, owned by the job").isEqualTo(mpiUid);
    assertThat(kube.get("configmap", "chart-mpi-mpi").path("data").has("hostfile")).isTrue();

    // The leader keeps renewing its Lease past the renew deadline (10 s), still as the same holder.
    Instant acquired = Instant.parse(lease().path("spec").path("acquireTime").asText());
    await("the Lease renewed beyond the renew deadline").atMost(WAIT).until(() -> {
      JsonNode spec = lease().path("spec");
      return spec.path("holderIdentity").asText().equals(identities.get(leader))
          && Instant.parse(spec.path("renewTime").asText()).isAfter(acquired.plusSeconds(12));
    });
    assertThat(leader.isAlive()).isTrue();
    String log = logSince(leader, mark);
    assertThat(log).as("operator log").doesNotContainIgnoringCase("forbidden").doesNotContain("code=403");
  }

  /** The release's template policy (baseline by default) refuses a privileged template at apply; TemplatePolicyE2eTest has every rule. */
  @Test
  @Order(2)
  void theReleasesTemplatePolicyRefusesAPrivilegedTemplate() {
    String privileged = TrainingJobLifecycleE2eTest.job("privileged", 1, 8, "")
        + "        securityContext: {privileged: true}\n";
    await("the release's policy is in admission").atMost(WAIT).until(() ->
        cluster.kubectlWithInput(privileged, "apply", "--dry-run=server", "-n", kube.namespace(), "-f", "-").exitCode() != 0);
    Command.Result refused = kube.tryApply(privileged);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("ValidatingAdmissionPolicy 'gangway-template-policy'",
        "spec.template.spec.containers[0].securityContext.privileged: privileged containers are forbidden by the gangway template policy (level baseline)");
  }

  /**
   * Least privilege, as the API server sees it: every request the operator makes (the jobs above
   * ran on exactly these grants, with no "forbidden" in the log) is allowed, and the grants it
   * needs not are refused.
   */
  @Test
  @Order(3)
  void theServiceAccountMayDoWhatTheCodeDoesAndNotMore() {
    String ns = kube.namespace();
    List<String> refused = new ArrayList<>();
    for (Access a : OperatorAccess.allWatched(ns, SYSTEM, "gangway-leader")) {
      if (!a.allowed(cluster, SA_USER)) {
        refused.add(a + " (" + a.why() + ")");
      }
    }
    assertThat(refused).as("what the operator does but may not").isEmpty();
    List<String> granted = new ArrayList<>();
    for (Access a : OperatorAccess.overGrants(ns, SYSTEM, "gangway-leader")) {
      if (a.allowed(cluster, SA_USER)) {
        granted.add(a + " (" + a.why() + ")");
      }
    }
    assertThat(granted).as("what the operator may do but never needs").isEmpty();
  }

  @Test
  @Order(4)
  void aPermissionTheChartLacksIsNamedOnTheJobAndTheJobStartsOnceItIsGranted() {
    long mark = logLength(leader);
    JsonNode role = json(cluster.kubectlOk("get", "clusterrole", "gangway", "-o", "json"));
    int rule = -1;
    List<String> verbs = new ArrayList<>();
    for (int i = 0; i < role.path("rules").size(); i++) {
      JsonNode r = role.path("rules").get(i);
      if (r.path("apiGroups").toString().equals("[\"\"]") && r.path("resources").toString().equals("[\"pods\"]")
          && r.path("verbs").toString().contains("\"create\"")) {
        rule = i;
        r.path("verbs").forEach(v -> verbs.add(v.asText()));
      }
    }
    assertThat(rule).as("the ClusterRole grants create on pods").isNotNegative();
    List<String> withoutCreate = verbs.stream().filter(v -> !v.equals("create")).toList();
    patchVerbs(rule, withoutCreate);
    deniedNamespace = kube.namespace();
    try {
      await().atMost(WAIT).until(() -> canI("create", "pods").equals("no"));
      kube.apply(TrainingJobLifecycleE2eTest.job("denied", 2, 8, ""));

      String denied = "User \"" + SA_USER + "\" cannot create resource \"pods\" in API group \"\" in the namespace \""
          + kube.namespace() + "\"";
      await("the operator logs the denied request").atMost(WAIT).until(() -> logSince(leader, mark).contains(denied));
      // What `kubectl describe tj` shows: a ReconcileError condition with the API server's words and what to grant.
      await("the job says why").atMost(WAIT).untilAsserted(() -> {
        JsonNode error = kube.condition("denied", "ReconcileError");
        assertThat(error.path("status").asText()).isEqualTo("True");
        assertThat(error.path("reason").asText()).isEqualTo("Forbidden");
        assertThat(error.path("message").asText()).contains("cannot create resource \"pods\"", "ServiceAccount");
      });
      assertThat(kube.pods("denied")).isEmpty();
      assertThat(kube.phase("denied")).isNotIn("Running", "Succeeded");
    } finally {
      patchVerbs(rule, verbs);
    }
    await().atMost(WAIT).until(() -> canI("create", "pods").equals("yes"));
    // The operator keeps retrying (backoff capped at 30 s): once the permission is back, the job starts by itself.
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("denied")).isEqualTo("Running"));
    assertThat(kube.condition("denied", "ReconcileError").path("status").asText()).isEqualTo("False");
  }

  @Test
  @Order(5)
  void onlyTheLeaseHolderReconcilesAndAStandbyTakesOverWhenItStops() {
    OperatorProcess standby = startOperator();
    long standbyMark = logLength(standby);
    long leaderMark = logLength(leader);
    assertThat(lease().path("spec").path("holderIdentity").asText()).isEqualTo(identities.get(leader));

    kube.apply(TrainingJobLifecycleE2eTest.job("ha", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("ha")).isEqualTo("Running"));
    String reconcilingHa = RECONCILING.formatted("ha", kube.namespace());
    assertThat(logSince(leader, leaderMark)).contains(reconcilingHa);
    await("the standby saw the job's events").atMost(WAIT)
        .until(() -> logSince(standby, standbyMark).contains(FOLLOWER_SKIPS.formatted(kube.namespace())));
    assertThat(logSince(standby, standbyMark)).doesNotContain("Running reconcile executor");
    assertThat(lease().path("spec").path("holderIdentity").asText()).isEqualTo(identities.get(leader));

    OperatorProcess old = leader;
    JsonNode held = lease().path("spec");
    Instant stopped = Instant.now();
    // SIGTERM, as Kubernetes stops a pod (close() sends SIGKILL only after 20 s). The leader stops reconciling,
    // then hands its Lease back, so the standby takes it at its next retry instead of when it expires.
    old.close();
    await("the standby takes the Lease").atMost(WAIT)
        .until(() -> lease().path("spec").path("holderIdentity").asText().equals(identities.get(standby)));
    Instant acquired = Instant.parse(lease().path("spec").path("acquireTime").asText());
    log("standby acquired the Lease %d ms after SIGTERM to the leader; the old leader %s", Duration.between(stopped, acquired).toMillis(),
        logSince(old, leaderMark).contains("gangway-operator stopped in") ? "shut down cleanly" : "did not finish shutting down (killed)");
    assertThat(logSince(old, leaderMark)).contains("handed the Lease");
    // Expired, the old holder's Lease could only have been taken after its last renewal plus its duration.
    Instant expiry = Instant.parse(held.path("renewTime").asText()).plusSeconds(held.path("leaseDurationSeconds").asLong());
    assertThat(acquired).as("taken before the old leader's Lease expired: it was handed back").isBefore(expiry);
    leader = standby;

    kube.kubectl("annotate", "pods", "-l", "gangway.dev/job-name=ha", "gangway.dev/e2e-succeed-after=1s");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("ha")).isEqualTo("Succeeded"));
    assertThat(logSince(standby, standbyMark)).contains(reconcilingHa);
    assertThat(logSince(old, leaderMark)).doesNotContainIgnoringCase("forbidden");
    assertThat(logSince(standby, standbyMark)).doesNotContainIgnoringCase("forbidden");
  }

  @Test
  @Order(6)
  void helmUpgradeLeavesARunningJobsPodsAlone() {
    kube.apply(TrainingJobLifecycleE2eTest.job("steady", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("steady")).isEqualTo("Running"));
    Map<String, String> uids = podUids("steady");
    assertThat(uids).hasSize(2);

    // As the chart's README says: CRDs first (Helm never upgrades them), then the release.
    cluster.kubectlOk("apply", "--server-side", "--force-conflicts", "-f", chart.resolve("crds").toString());
    long t0 = System.nanoTime();
    helm("upgrade", RELEASE, chart.toString(), "-n", SYSTEM, "--set", "logLevel=DEBUG").assertOk();
    log("helm upgrade: %d ms", (System.nanoTime() - t0) / 1_000_000);
    cluster.kubectlOk("rollout", "status", "deployment/gangway", "-n", SYSTEM, "--timeout=60s");
    assertThat(deploymentEnv()).containsEntry("QUARKUS_LOG_LEVEL", "DEBUG");

    // The Deployment rolls its pods (maxSurge 1): the new replica starts, then the old one stops.
    OperatorProcess upgraded = startOperator();
    long mark = logLength(upgraded);
    leader.close();
    await("the upgraded replica takes the Lease").atMost(WAIT)
        .until(() -> lease().path("spec").path("holderIdentity").asText().equals(identities.get(upgraded)));
    leader = upgraded;
    await().atMost(WAIT).until(() -> logSince(upgraded, mark).contains(RECONCILING.formatted("steady", kube.namespace())));

    assertThat(kube.phase("steady")).isEqualTo("Running");
    assertThat(podUids("steady")).as("the same pods, not recreated").isEqualTo(uids);
    assertThat(logSince(upgraded, mark).lines().filter(l -> l.contains(" DEBUG [") && !l.contains("EventProcessor]")))
        .as("logLevel=DEBUG reached the operator").isNotEmpty();
    assertThat(logSince(upgraded, mark)).as("java.net.http's per-frame DEBUG lines stay out (pinned to INFO)")
        .doesNotContain("[jdk.internal.httpclient.debug]");
    kube.kubectl("annotate", "pods", "-l", "gangway.dev/job-name=steady", "gangway.dev/e2e-succeed-after=1s");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("steady")).isEqualTo("Succeeded"));
    assertThat(logSince(upgraded, mark)).doesNotContainIgnoringCase("forbidden");
  }

  @Test
  @Order(7)
  void withNodeMarkingOnAFatalHealthSignalTaintsAndCordonsTheNodeAndClearedUndoesBoth() throws Exception {
    helm("upgrade", RELEASE, chart.toString(), "-n", SYSTEM, "--reuse-values", "--set", "nodeHealth.taintNodes=true",
        "--set", "nodeHealth.cordonNodes=true").assertOk();
    assertThat(deploymentEnv()).containsEntry("GANGWAY_NODE_HEALTH_TAINT_NODES", "true")
        .containsEntry("GANGWAY_NODE_HEALTH_CORDON_NODES", "true");
    OperatorProcess marking = startOperator();
    leader.close();
    awaitLeader(marking);
    leader = marking;
    String node = cluster.kubectlOk("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}").strip();
    try {
      assertThat(postNodeHealth(marking, node, "Fatal", "ECC double-bit error")).isEqualTo(200);
      await("taint and cordon on " + node).atMost(WAIT).untilAsserted(() -> {
        JsonNode spec = json(cluster.kubectlOk("get", "node", node, "-o", "json")).path("spec");
        assertThat(spec.path("unschedulable").asBoolean()).isTrue();
        assertThat(spec.path("taints").toString()).contains("\"key\":\"gangway.dev/unhealthy\"")
            .contains("\"value\":\"ECC-double-bit-error\"").contains("\"effect\":\"NoSchedule\"");
      });
      assertThat(cluster.kubectlOk("get", "node", node, "-o", "jsonpath={.metadata.annotations.gangway\\.dev/cordoned}").strip())
          .isEqualTo("ECC-double-bit-error");

      assertThat(postNodeHealth(marking, node, "Cleared", "GPU replaced")).isEqualTo(200);
      await("taint and cordon lifted from " + node).atMost(WAIT).untilAsserted(() -> {
        JsonNode spec = json(cluster.kubectlOk("get", "node", node, "-o", "json")).path("spec");
        assertThat(spec.path("unschedulable").asBoolean()).isFalse();
        assertThat(spec.path("taints").toString()).doesNotContain("gangway.dev/unhealthy");
      });
    } finally {
      cluster.kubectl("uncordon", node);
      cluster.kubectl("taint", "node", node, "gangway.dev/unhealthy-");
    }
    assertThat(logSince(marking, 0)).doesNotContainIgnoringCase("forbidden");
  }

  @Test
  @Order(8)
  void helmUninstallRemovesWhatTheChartCreatedButKeepsTheCrdsAndJobs() {
    kube.apply(TrainingJobLifecycleE2eTest.job("survivor", 1, 8, "  suspend: true\n"));
    String manifest = helm("get", "manifest", RELEASE, "-n", SYSTEM).assertOk().stdout();
    releaseManifest = manifest;
    List<String> created = cluster.kubectlWithInput(manifest, "get", "-f", "-", "-o", "name").assertOk().stdout().lines().sorted().toList();
    Map<String, List<String>> byKind = new LinkedHashMap<>();
    for (String kind : List.of("serviceaccount", "clusterrole", "clusterrolebinding", "role", "rolebinding", "deployment", "service",
        "poddisruptionbudget", "networkpolicy", "validatingadmissionpolicy", "validatingadmissionpolicybinding")) {
      byKind.put(kind, labelled(kind));
      assertThat(byKind.get(kind)).as("the release has a %s", kind).isNotEmpty();
    }
    log("objects of the release: %s", created);
    assertThat(created).containsAll(byKind.values().stream().flatMap(List::stream).toList());

    // The operator's credentials are about to go: stop it first, as uninstalling its Deployment would.
    started.stream().filter(OperatorProcess::isAlive).forEach(OperatorProcess::close);
    long t0 = System.nanoTime();
    helm("uninstall", RELEASE, "-n", SYSTEM, "--wait", "--timeout=60s").assertOk();
    log("helm uninstall: %d ms", (System.nanoTime() - t0) / 1_000_000);

    assertThat(cluster.kubectlWithInput(manifest, "get", "-f", "-", "-o", "name", "--ignore-not-found").assertOk().stdout())
        .as("objects of the release after uninstall").isBlank();
    byKind.keySet().forEach(kind -> assertThat(labelled(kind)).as("%s after uninstall", kind).isEmpty());
    await("the operator's pods are gone").atMost(WAIT)
        .until(() -> cluster.kubectlOk("get", "pods", "-n", SYSTEM, "-l", "app.kubernetes.io/instance=" + RELEASE, "-o", "name").isBlank());
    assertThat(helm("list", "-n", SYSTEM, "-q").assertOk().stdout()).isBlank();

    for (String crd : CRDS) {
      assertThat(cluster.kubectl("get", "crd", crd).exitCode()).as("%s kept", crd).isZero();
    }
    assertThat(kube.get("tj", "survivor").path("spec").path("replicas").asInt()).isEqualTo(1);
  }

  /**
   * With watchNamespaces the operator reads and writes namespaced objects only in those namespaces
   * (pods are listed and watched cluster-wide, for GPU accounting), and creates Events in default.
   */
  @Test
  @Order(9)
  void withWatchNamespacesNothingNamespacedIsGrantedOutsideThem() {
    String release = "gangway-scoped";
    String system = release + "-system";
    String user = "system:serviceaccount:" + system + ":" + release;
    Kube elsewhere = Kube.inFreshNamespace(cluster, "unwatched");
    try {
      helm("install", release, chart.toString(), "-n", system, "--create-namespace", "--skip-crds", "--set", "replicaCount=1",
          "--set", "watchNamespaces={" + kube.namespace() + "}").assertOk();
      List<String> wrong = new ArrayList<>();
      for (Access a : OperatorAccess.oneWatched(kube.namespace(), system, release + "-leader")) {
        if (!a.allowed(cluster, user)) {
          wrong.add("refused: " + a + " (" + a.why() + ")");
        }
      }
      for (Access a : OperatorAccess.outsideWatched(elsewhere.namespace())) {
        if (a.allowed(cluster, user)) {
          wrong.add("granted: " + a + " (" + a.why() + ")");
        }
      }
      assertThat(wrong).isEmpty();

      // The operator on these grants, so that the audit log shows what watchNamespaces mode reads (judged in order 10).
      scopedManifest = helm("get", "manifest", release, "-n", system).assertOk().stdout();
      scopedWatched = kube.namespace();
      Map<String, String> environment = new HashMap<>(deploymentEnv(release, system));
      environment.put("HOSTNAME", release);
      environment.remove("GANGWAY_LEADER_ELECTION_ADVERTISE_ADDRESS");
      try (OperatorProcess scoped = env.startOperator("chart-" + release, serviceAccountKubeconfig(release, system), OPERATOR_PROPERTIES,
          environment)) {
        // What order 1 does, on the scoped grants: a job to its TTL, a rank's checkpoint report, a health agent's signals.
        await("the scoped operator leads").atMost(WAIT).until(() -> cluster.kubectl("get", "lease", release + "-leader", "-n", system,
            "-o", "jsonpath={.spec.holderIdentity}").stdout().startsWith(release));
        kube.apply(TrainingJobLifecycleE2eTest.job("scoped", 2, 8, "  ttlSecondsAfterFinished: 5\n"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("scoped")).as(() -> kube.describe("scoped")).isEqualTo("Running"));
        String report = JSON.createObjectNode().put("namespace", kube.namespace()).put("name", "scoped")
            .put("uid", kube.get("tj", "scoped").path("metadata").path("uid").asText()).put("attempt", 1).put("step", 10)
            .put("path", "/ckpt/10").toString();
        // A node none of the job's ranks is on: a Fatal signal there must not restart the gang.
        List<String> used = kube.pods("scoped").stream().map(p -> p.path("spec").path("nodeName").asText()).toList();
        String node = cluster.kubectlOk("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}").strip().lines()
            .flatMap(l -> java.util.Arrays.stream(l.split(" "))).filter(n -> !used.contains(n)).findFirst().orElseThrow();
        try {
          var stored = Intake.post(scoped.url(), "/api/v1/checkpoints", report, Intake.rankToken(cluster, kube.namespace(), "scoped"));
          assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
          String agent = Intake.healthAgentToken(cluster, release + "-node-health-reporter");
          for (String severity : List.of("Fatal", "Cleared")) {
            String signal = JSON.createObjectNode().put("node", node).put("severity", severity).put("reason", "audit")
                .put("time", Instant.now().toString()).toString();
            var answered = Intake.post(scoped.url(), "/api/v1/node-health", signal, agent);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
          }
        } catch (IOException | InterruptedException e) {
          throw new AssertionError(e);
        }
        kube.kubectl("annotate", "pods", "-l", "gangway.dev/job-name=scoped", "gangway.dev/e2e-succeed-after=1s");
        await("TTL deletes the job").atMost(WAIT)
            .until(() -> cluster.kubectl("get", "tj", "scoped", "-n", kube.namespace()).exitCode() != 0);
        assertThat(scoped.log()).doesNotContainIgnoringCase("forbidden");
      }
    } finally {
      helm("uninstall", release, "-n", system, "--wait", "--timeout=60s");
      cluster.kubectl("delete", "namespace", system, "--ignore-not-found", "--wait=false");
      elsewhere.deleteNamespace(WAIT);
    }
  }

  /**
   * Least privilege, proven by use: every (verb, resource) the chart grants the operator's
   * ServiceAccount was used by the operators of this class (the kube-apiserver's audit log records
   * their reads and writes, see the audit policy in e2e/cluster/cluster.sh), unless
   * {@link UnexercisedGrants} says why it stays; and the API server refused them nothing but what
   * order 4 took away on purpose. Both modes: every namespace (orders 1-8, the release's final
   * values) and watchNamespaces (order 9).
   */
  @Test
  @Order(10)
  void everyGrantWasUsedAndNoRequestRefusedAsTheAuditLogShows() {
    assertThat(releaseManifest).as("order 8 kept the release's manifest").isNotNull();
    assertThat(scopedManifest).as("order 9 kept the scoped release's manifest").isNotNull();
    List<String> problems = new ArrayList<>();
    problems.addAll(judge("every namespace", releaseManifest, SYSTEM, RELEASE, UnexercisedGrants.ALL_NAMESPACES,
        r -> r.namespace() != null && r.namespace().equals(deniedNamespace) && r.verb().equals("create") && r.resource().equals("pods")));
    problems.addAll(judge("watchNamespaces", scopedManifest, "gangway-scoped-system", "gangway-scoped", UnexercisedGrants.WATCHED_NAMESPACES,
        r -> false));
    assertThat(problems).isEmpty();
  }

  private List<String> judge(String mode, String manifest, String system, String serviceAccount, Map<String, String> allowedUnused,
                             java.util.function.Predicate<AuditedRequest> provoked) {
    String user = "system:serviceaccount:" + system + ":" + serviceAccount;
    JsonNode rendered = asList(cluster.kubectlWithInput(manifest, "create", "--dry-run=client", "-o", "json", "-f", "-").assertOk().stdout());
    List<AuditedRequest> requests = AuditedRequest.read(cluster.auditLog(), user);
    List<Grant> grants = Grant.of(rendered, system, serviceAccount);
    assertThat(grants).as("what the %s release grants %s", mode, user).isNotEmpty();
    LeastPrivilege judged = new LeastPrivilege(grants, requests, allowedUnused);
    log("%s: %d audited requests by %s; used:%n  %s", mode, requests.size(), user,
        String.join("\n  ", judged.used(ns -> ns.equals(system) || ns.equals("default") ? ns : "<job namespace>")));
    judged.uses().forEach((grant, n) -> log("%s: %-70s used %d times%s", mode, grant, n,
        n == 0 ? " (allowed unused: " + allowedUnused.getOrDefault(grant.key(), "NO") + ")" : ""));
    List<String> problems = new ArrayList<>();
    judged.overGrants().forEach(g -> problems.add(mode + ": granted but never used: " + g));
    judged.refused(provoked).forEach(r -> problems.add(mode + ": refused: " + r));
    judged.staleAllowances().forEach(k -> log("%s: allow-listed but used or no longer granted: %s", mode, k));
    if (requests.isEmpty()) {
      problems.add(mode + ": the audit log has no request by " + user + " (is the audit policy logging its reads?)");
    }
    return problems;
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** Sent by a health agent granted node-health signals by the chart's own ClusterRole, as a platform binds it. */
  private int postNodeHealth(OperatorProcess operator, String node, String severity, String reason) throws Exception {
    String body = new ObjectMapper().createObjectNode().put("node", node).put("severity", severity).put("reason", reason)
        .put("time", Instant.now().toString()).toString();
    return Intake.post(operator.url(), "/api/v1/node-health", body, Intake.healthAgentToken(cluster, RELEASE + "-node-health-reporter"))
        .statusCode();
  }

  /** Names ("kind/name") of the release's objects of one kind, in any namespace. */
  private List<String> labelled(String kind) {
    return cluster.kubectlOk("get", kind, "-A", "-l", "app.kubernetes.io/instance=" + RELEASE, "-o", "name").lines().sorted().toList();
  }

  /** An operator process with the chart's ServiceAccount token and the environment of the chart's Deployment. */
  private OperatorProcess startOperator() {
    String name = "gangway-" + (char) ('a' + operators++);
    Map<String, String> environment = new HashMap<>(deploymentEnv());
    // In a pod HOSTNAME is the pod's name; the operator's Lease identity is HOSTNAME-pid@<advertise address>.
    environment.put("HOSTNAME", name);
    // In a pod each replica listens on 8080 of its own IP ($(POD_IP):8080); here they share 127.0.0.1, so each
    // advertises its own port, the default.
    environment.remove("GANGWAY_LEADER_ELECTION_ADVERTISE_ADDRESS");
    OperatorProcess operator = env.startOperator("chart-" + name, saKubeconfig, OPERATOR_PROPERTIES, environment);
    started.add(operator);
    identities.put(operator, name + "-" + operator.pid() + "@" + java.net.URI.create(operator.url()).getAuthority());
    return operator;
  }

  private void awaitLeader(OperatorProcess operator) {
    await("Lease held by " + identities.get(operator)).atMost(WAIT)
        .until(() -> lease().path("spec").path("holderIdentity").asText().equals(identities.get(operator)));
  }

  private Map<String, String> deploymentEnv() {
    return deploymentEnv(RELEASE, SYSTEM);
  }

  private Map<String, String> deploymentEnv(String release, String system) {
    return ChartDeployment.environment(cluster, system, release);
  }

  private Path serviceAccountKubeconfig(String release, String system) {
    return ChartDeployment.serviceAccountKubeconfig(cluster, system, release);
  }

  private JsonNode lease() {
    Command.Result r = cluster.kubectl("get", "lease", "gangway-leader", "-n", SYSTEM, "-o", "json");
    return r.exitCode() == 0 ? json(r.stdout()) : JSON.createObjectNode();
  }

  /** `kubectl auth can-i` as the chart's ServiceAccount in the test's namespace. */
  private String canI(String... verbAndResource) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i"));
    args.addAll(List.of(verbAndResource));
    args.addAll(List.of("-n", kube.namespace(), "--as=" + SA_USER));
    return cluster.kubectl(args.toArray(String[]::new)).stdout().strip();
  }

  private void patchVerbs(int rule, List<String> verbs) {
    String patch = "[{\"op\":\"test\",\"path\":\"/rules/" + rule + "/resources/0\",\"value\":\"pods\"},"
        + "{\"op\":\"replace\",\"path\":\"/rules/" + rule + "/verbs\",\"value\":"
        + verbs.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(",", "[", "]")) + "}]";
    cluster.kubectlOk("patch", "clusterrole", "gangway", "--type=json", "-p", patch);
  }

  private Map<String, String> podUids(String job) {
    return kube.pods(job).stream().collect(Collectors.toMap(p -> p.path("metadata").path("name").asText(),
        p -> p.path("metadata").path("uid").asText()));
  }

  private Command.Result helm(String... args) {
    return HelmCommand.run(cluster, args);
  }

  private long logLength(OperatorProcess operator) {
    return logSince(operator, 0).length();
  }

  private String logSince(OperatorProcess operator, long mark) {
    String log = operator.log();
    return log.length() <= mark ? "" : log.substring((int) mark);
  }

  /** kubectl prints one JSON object per manifest, one after the other: gathered into a List's items. */
  private static JsonNode asList(String objects) {
    var list = JSON.createObjectNode().put("kind", "List");
    var items = list.putArray("items");
    try (var values = JSON.readerFor(JsonNode.class).<JsonNode>readValues(objects)) {
      while (values.hasNext()) {
        JsonNode o = values.next();
        if ("List".equals(o.path("kind").asText())) {
          o.path("items").forEach(items::add);
        } else {
          items.add(o);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return list;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void log(String format, Object... args) {
    System.out.println("[chart-e2e] " + format.formatted(args));
  }
}
