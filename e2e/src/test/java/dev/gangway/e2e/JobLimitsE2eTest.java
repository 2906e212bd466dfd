package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.e2e.rbac.AuditedRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No exhaustion by one manifest, on the real control plane: the chart's jobLimits policy (rendered
 * as {@code helm template} does, for this class's namespace only) refuses a job over the rank or GPU
 * cap at {@code kubectl apply}, and a scale-up past it; without a cap, a job of a million ranks is
 * Unschedulable and creates no object; a gang its namespace's ResourceQuota cannot admit whole waits with the quota's
 * numbers and creates no pod, and two gangs with room for one never hold half each; a gang part of which the quota
 * refuses at creation anyway (pods mutated at admission) is deleted and waits as the server counts its pods; a PriorityClass that does not exist is a waiting condition, not
 * a retried create, and creating it starts the job.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobLimitsE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final E2eEnvironment env;
  private final LocalCluster cluster;
  private Kube capped;
  private Kube kube;

  JobLimitsE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.cluster();
  }

  @BeforeAll
  void installTheCaps() {
    cluster.kubectlOk("apply", "-f", cluster.topology().toString());
    capped = Kube.inFreshNamespace(cluster, "capped");
    cluster.kubectlWithInput(render(), "apply", "-f", "-").assertOk();
    String tooMany = TrainingJobLifecycleE2eTest.job("probe", 65, 1, "");
    await("the caps are in admission").atMost(WAIT)
        .until(() -> cluster.kubectlWithInput(tooMany, "apply", "--dry-run=server", "-n", capped.namespace(), "-f", "-").exitCode() != 0);
  }

  @AfterAll
  void removeTheCaps() {
    cluster.kubectlWithInput(render(), "delete", "--ignore-not-found", "-f", "-");
    capped.deleteNamespace(WAIT);
  }

  @BeforeEach
  void namespace() {
    kube = Kube.inFreshNamespace(cluster, "limits");
  }

  @AfterEach
  void freeTheCluster() {
    kube.deleteNamespace(WAIT);
  }

  @Test
  void aJobOverTheRankOrGpuCapIsRefusedAtApplyAndSoIsAScaleUpPastIt() {
    Command.Result ranks = capped.tryApply(TrainingJobLifecycleE2eTest.job("ranks", 65, 1, ""));
    assertThat(ranks.exitCode()).isNotZero();
    assertThat(ranks.stderr()).contains("ValidatingAdmissionPolicy 'gangway-job-limits'",
        "spec.replicas: 65 ranks is over the cap of 64 ranks per TrainingJob set by the platform (gangway chart value jobLimits.maxRanksPerJob)");

    Command.Result gpus = capped.tryApply(TrainingJobLifecycleE2eTest.job("gpus", 40, 8, ""));
    assertThat(gpus.exitCode()).isNotZero();
    assertThat(gpus.stderr()).contains("spec.replicas x spec.gpusPerReplica: 320 GPUs is over the cap of 256 GPUs per TrainingJob");

    capped.apply(TrainingJobLifecycleE2eTest.job("fits", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(capped.phase("fits")).as(() -> capped.describe("fits")).isEqualTo("Running"));
    // A size change needs the job suspended (the CRD's rule), so the scale-up comes with suspend: the cap still refuses it.
    Command.Result scaleUp = cluster.kubectl("patch", "tj", "fits", "-n", capped.namespace(), "--type=merge", "-p",
        "{\"spec\":{\"replicas\":100,\"suspend\":true}}");
    assertThat(scaleUp.exitCode()).isNotZero();
    assertThat(scaleUp.stderr()).contains("spec.replicas: 100 ranks is over the cap of 64");
    assertThat(capped.get("tj", "fits").path("spec").path("replicas").asInt()).isEqualTo(2);
    // Suspending a job is no change of size: the caps let it through.
    cluster.kubectlOk("patch", "tj", "fits", "-n", capped.namespace(), "--type=merge", "-p", "{\"spec\":{\"suspend\":true}}");
    assertThat(cluster.kubectl("get", "tj", "-n", capped.namespace(), "-o", "name").stdout().lines().toList())
        .as("only the job that fits was stored").containsExactly("trainingjob.gangway.dev/fits");
  }

  @Test
  void aNumberBeyondItsFieldsRangeIsRefusedAtApplySoNoObjectCanStopTheOperatorsInformer() {
    // Found by ManifestFuzzE2eTest: stored, such a job made the operator's TrainingJob informer fail to read it and
    // stop, and no job of any namespace was reconciled. The CRD bounds every integer by its Java type (CrdIntegerRanges).
    Command.Result ownField = kube.tryApply(TrainingJobLifecycleE2eTest.job("wait-overflow", 1, 1,
        Manifests.failurePolicy("checkpointWaitSeconds: 2147483648", 1)));
    assertThat(ownField.exitCode()).isNotZero();
    assertThat(ownField.stderr()).contains("spec.failurePolicy.checkpointWaitSeconds", "2147483647");

    Command.Result templateField = kube.tryApply(Manifests.withPodSpec("port-overflow", 1, 1, "", """
              containers:
              - name: trainer
                image: busybox
                ports:
                - containerPort: 2147483648
        """));
    assertThat(templateField.exitCode()).isNotZero();
    assertThat(templateField.stderr()).contains("containerPort", "2147483647");

    Command.Result intOrString = kube.tryApply(Manifests.withPodSpec("probe-overflow", 1, 1, "", """
              containers:
              - name: trainer
                image: busybox
                readinessProbe:
                  tcpSocket:
                    port: 2147483648
        """));
    assertThat(intOrString.exitCode()).isNotZero();
    assertThat(intOrString.stderr()).contains("port", "2147483647");

    // Also found by the fuzzer: a job with no spec at all was stored and failed every reconcile.
    Command.Result noSpec = kube.tryApply("apiVersion: gangway.dev/v1alpha1\nkind: TrainingJob\nmetadata:\n  name: no-spec\n");
    assertThat(noSpec.exitCode()).isNotZero();
    assertThat(noSpec.stderr()).contains("spec: Required value");

    kube.apply(TrainingJobLifecycleE2eTest.job("after", 1, 1, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("after")).as(() -> kube.describe("after")).isEqualTo("Running"));
    assertThat(cluster.kubectl("get", "tj", "-n", kube.namespace(), "-o", "name").stdout().lines().toList())
        .containsExactly("trainingjob.gangway.dev/after");
    assertThat(env.operator().isAlive()).isTrue();
  }

  @Test
  void aStoredJobWithAFieldOutOfRangeFailsNamingItAndStopsNothingElse() {
    // The bound above, missing from an older CRD (a chart upgrade that did not replace its CRDs): such a job is stored.
    // Read whole, it would fail every list of TrainingJobs, so one tenant's object would stop Gangway everywhere; the
    // operator reads it without the field (UnreadableJobFields) and fails that job alone, naming the field.
    String maximum = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/failurePolicy/properties"
        + "/checkpointWaitSeconds/maximum";
    OperatorProcess operator = env.operator();
    long pid = operator.pid();
    try {
      cluster.kubectlOk("patch", "crd", "trainingjobs.gangway.dev", "--type=json", "-p",
          "[{\"op\": \"remove\", \"path\": \"" + maximum + "\"}]");
      await("the older schema served").atMost(WAIT).until(() -> kube.tryApply(TrainingJobLifecycleE2eTest.job("unreadable", 1, 1,
          Manifests.failurePolicy("checkpointWaitSeconds: 2147483648", 1))).exitCode() == 0);
      kube.apply(TrainingJobLifecycleE2eTest.job("beside", 1, 1, ""));

      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode failed = kube.condition("unreadable", "Failed");
        assertThat(failed.path("reason").asText()).as(() -> kube.describe("unreadable")).isEqualTo("InvalidSpec");
        assertThat(failed.path("message").asText()).contains("spec.failurePolicy.checkpointWaitSeconds: ").contains("2147483648")
            .contains("set a value in range");
      });
      assertThat(kube.phase("unreadable")).isEqualTo("Failed");
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("beside")).as(() -> kube.describe("beside")).isEqualTo("Running"));
      assertThat(operator.isAlive()).as("the operator (log: %s)", operator.log()).isTrue();
      assertThat(env.operator().pid()).as("the operator was not restarted").isEqualTo(pid);
      // The note stays in the operator's memory: its status writes left the stored metadata and spec as they were.
      JsonNode stored = kube.get("tj", "unreadable");
      assertThat(stored.path("metadata").path("annotations").has("gangway.dev/unreadable-fields")).isFalse();
      assertThat(stored.path("spec").path("failurePolicy").path("checkpointWaitSeconds").asText()).isEqualTo("2147483648");
      // kubectl gangway reads as the operator does: the job shows, failed, beside the others (read whole, it failed the listing).
      String listed = KubectlPlugin.run(cluster, kube.namespace(), "get").assertOk().stdout();
      assertThat(listed.lines()).anySatisfy(l -> assertThat(l).contains("unreadable").contains("Failed"))
          .anySatisfy(l -> assertThat(l).contains("beside").contains("Running"));

      // Fixed in place, as the message says: the job starts over.
      kube.kubectl("patch", "tj", "unreadable", "--type=merge", "-p", "{\"spec\":{\"failurePolicy\":{\"checkpointWaitSeconds\":60}}}");
      await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("unreadable")).as(() -> kube.describe("unreadable"))
          .isEqualTo("Running"));
      assertThat(env.operator().pid()).isEqualTo(pid);
    } finally {
      cluster.kubectl("delete", "tj", "unreadable", "beside", "-n", kube.namespace(), "--ignore-not-found");
      cluster.installCrds();
      if (!env.operator().isAlive()) {
        env.restartOperator();
      }
    }
  }

  @Test
  void withoutACapAMillionRanksAreUnschedulableAndCreateNothing() {
    kube.apply(TrainingJobLifecycleE2eTest.job("million", 1_000_000, 8, ""));
    awaitWaiting("million", "Unschedulable", "needs 1000000 ranks x 8 GPUs");
    // Give the operator a few reconciles' time to do anything it would do, then count.
    await().pollDelay(Duration.ofSeconds(5)).atMost(WAIT).until(() -> true);
    int pods = objects("pods");
    int services = objects("services");
    int configMaps = objects("configmaps") - 1; // kube-root-ca.crt is every namespace's
    System.out.printf("[limits-e2e] replicas 1000000: %d pods, %d services, %d configmaps created; operator alive %s%n", pods, services,
        configMaps, env.operator().isAlive());
    assertThat(pods).isZero();
    assertThat(services).isZero();
    assertThat(configMaps).isZero();
    assertThat(env.operator().isAlive()).isTrue();
  }

  @Test
  void ranksAskingForNoGpuAreBoundedByThePodsTheNodesAdmit() {
    kube.apply(TrainingJobLifecycleE2eTest.job("no-gpus", 1_000_000, 0, ""));
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode placed = kube.condition("no-gpus", "Placed");
      assertThat(placed.path("reason").asText()).as(() -> kube.describe("no-gpus")).isEqualTo("Unschedulable");
      assertThat(placed.path("message").asText()).startsWith("needs 1000000 rank pods; the cluster's nodes admit ")
          .endsWith(" pods in all (status.allocatable.pods)");
    });
    await().pollDelay(Duration.ofSeconds(5)).atMost(WAIT).until(() -> true);
    System.out.printf("[limits-e2e] replicas 1000000 x 0 GPUs: %d pods created; %s%n", objects("pods"),
        kube.condition("no-gpus", "Placed").path("message").asText());
    assertThat(objects("pods")).isZero();
    assertThat(env.operator().isAlive()).isTrue();
  }

  @Test
  void aGangItsNamespacesQuotaCannotAdmitWholeWaitsWithNoPodCreatedAndStartsWhenTheQuotaIsRaised() {
    kube.applyResourceQuota("gpus", "requests.nvidia.com/gpu: \"8\"", WAIT);
    kube.apply(TrainingJobLifecycleE2eTest.job("over-quota", 2, 8, ""));
    awaitWaiting("over-quota", "QuotaExceeded", "2 rank pods need requests.nvidia.com/gpu 16 (8 each); ResourceQuota 'gpus'",
          "allows 8 in all");
    await().pollDelay(Duration.ofSeconds(10)).atMost(WAIT).until(() -> true);
    long podCreates = podCreates();
    System.out.printf("[limits-e2e] over quota: pod creates in 10+ s %d, phase %s%n", podCreates, kube.phase("over-quota"));
    assertThat(podCreates).as("rank pods created (the quota would admit one of two: a half gang)").isZero();
    assertThat(kube.phase("over-quota")).isEqualTo("Pending");
    assertThat(kube.condition("over-quota", "ReconcileError").path("status").asText()).isNotEqualTo("True");

    kube.applyResourceQuota("gpus", "requests.nvidia.com/gpu: \"16\"", WAIT);
    await("raising the quota starts it").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("over-quota")).as(() -> kube.describe("over-quota")).isEqualTo("Running"));
    assertThat(env.operator().isAlive()).isTrue();
  }

  @Test
  void twoGangsAppliedTogetherIntoAQuotaWithRoomForOneNeverHoldHalfEach() {
    // Without a whole-gang check each would get one rank admitted and wait for the other's GPUs for ever.
    kube.applyResourceQuota("gpus", "requests.nvidia.com/gpu: \"16\"", WAIT);
    kube.apply(TrainingJobLifecycleE2eTest.job("left", 2, 8, "") + "---\n" + TrainingJobLifecycleE2eTest.job("right", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(List.of(kube.phase("left"), kube.phase("right")))
        .as(() -> kube.describe("left") + kube.describe("right")).containsExactlyInAnyOrder("Running", "Pending"));
    String waiting = kube.phase("left").equals("Pending") ? "left" : "right";
    String running = waiting.equals("left") ? "right" : "left";
    assertThat(kube.condition(waiting, "Placed").path("reason").asText()).isEqualTo("QuotaExceeded");
    assertThat(kube.pods(waiting)).isEmpty();
    System.out.printf("[limits-e2e] two gangs, room for one: %s Running, %s waits QuotaExceeded with 0 pods; refused pod creates %d%n",
        running, waiting, refusedPodCreates());
    assertThat(refusedPodCreates()).as("pod creations the quota refused").isZero();

    kube.kubectl("delete", "tj", running);
    await("the quota freed by the first gang starts the second").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase(waiting)).as(() -> kube.describe(waiting)).isEqualTo("Running"));
  }

  @Test
  void theQuotaCountsTheLimitRangesDefaultsAndSoDoesTheGangsCheck() {
    // The template asks for no CPU; the LimitRange gives each container 1, which the quota then counts.
    applyCpuDefaults("1", true);
    kube.applyResourceQuota("cpu", "requests.cpu: \"1\"", WAIT);
    kube.apply(TrainingJobLifecycleE2eTest.job("defaulted", 2, 0, ""));
    awaitWaiting("defaulted", "QuotaExceeded", "2 rank pods need requests.cpu 2 (1 each); ResourceQuota 'cpu'");
    assertThat(podCreates()).as("rank pods created").isZero();

    kube.applyResourceQuota("cpu", "requests.cpu: \"2\"", WAIT);
    await("raising the quota starts it").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("defaulted")).as(() -> kube.describe("defaulted")).isEqualTo("Running"));
  }

  @Test
  void placementCountsTheCpuALimitRangeGivesContainersThatSetNone() {
    // Two ranks of 4 GPUs fit one 8-GPU node by GPUs; by the 120 CPUs each the LimitRange gives them, on nodes of 192,
    // they do not, and kube-scheduler would leave the second Pending on it until its bind deadline.
    applyCpuDefaults("120", false);
    kube.apply(TrainingJobLifecycleE2eTest.job("defaulted-cpu", 2, 4, ""));
    await("Running").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("defaulted-cpu")).as(() -> kube.describe("defaulted-cpu")).isEqualTo("Running"));
    List<JsonNode> ranks = kube.pods("defaulted-cpu");
    System.out.printf("[limits-e2e] LimitRange cpu default: ranks reserved on %s%n",
        ranks.stream().map(p -> p.path("metadata").path("annotations").path("gangway.dev/reserved-node").asText()).toList());
    assertThat(ranks).hasSize(2).extracting(p -> p.path("metadata").path("annotations").path("gangway.dev/reserved-node").asText())
        .as("the first decision's nodes").doesNotHaveDuplicates().doesNotContain("");
    assertThat(kube.get("tj", "defaulted-cpu").path("status").path("attempt").asInt()).isEqualTo(1);
  }

  @Test
  void aCpuQuotaAndATemplateSettingNoCpuWaitWithNoPodCreatedAndALimitRangeDefaultStartsTheJob() {
    // The API server would refuse every rank pod ("must specify requests.cpu"), however much room the quota has.
    kube.applyResourceQuota("cpu", "requests.cpu: \"4\"", WAIT);
    kube.apply(TrainingJobLifecycleE2eTest.job("no-cpu", 2, 0, ""));
    awaitWaiting("no-cpu", "QuotaRequiresResources", "ResourceQuota 'cpu'", "container 'trainer' of spec.template sets no requests.cpu");
    await().pollDelay(Duration.ofSeconds(5)).atMost(WAIT).until(() -> true);
    System.out.printf("[limits-e2e] cpu quota, template without cpu: pod creates in 5+ s %d, phase %s%n", podCreates(), kube.phase("no-cpu"));
    assertThat(podCreates()).as("rank pods created (each would be refused)").isZero();
    assertThat(kube.condition("no-cpu", "ReconcileError").path("status").asText()).isNotEqualTo("True");

    applyCpuDefaults("1", false);
    await("a LimitRange default starts it").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("no-cpu")).as(() -> kube.describe("no-cpu")).isEqualTo("Running"));
  }

  @Test
  void aLimitRangeCappingGpusPerContainerBelowTheJobsWaitsWithNoPodCreatedAndRaisingTheCapStartsTheJob() {
    applyGpuCap("1");
    String says = "maximum nvidia.com/gpu usage per Container is 1, but limit is 2 (container 'trainer')";
    // The same rank pod, offered to the API server: its LimitRanger admission refuses it in the words the condition will quote.
    // (Also gives the operator's LimitRange informer the moment a person would take before applying the job.)
    var offered = cluster.kubectlWithInput("""
        apiVersion: v1
        kind: Pod
        metadata: {name: probe}
        spec:
          containers:
          - name: trainer
            image: busybox
            resources: {limits: {nvidia.com/gpu: "2"}}
        """, "apply", "--dry-run=server", "-n", kube.namespace(), "-f", "-");
    assertThat(offered.exitCode()).isNotZero();
    assertThat(offered.stderr()).contains(says.substring(0, says.indexOf(" (container")));
    long probes = podCreates();
    kube.apply(TrainingJobLifecycleE2eTest.job("gpu-capped", 1, 2, ""));
    awaitWaiting("gpu-capped", "LimitRangeViolated", "LimitRange 'gpu-cap' in namespace " + kube.namespace() + " refuses every rank pod",
        says);
    await().pollDelay(Duration.ofSeconds(5)).atMost(WAIT).until(() -> true);
    System.out.printf("[limits-e2e] GPU cap below the job's: rank pod creates in 5+ s %d, phase %s%n", podCreates() - probes,
        kube.phase("gpu-capped"));
    assertThat(podCreates() - probes).as("rank pods created (each would be refused)").isZero();
    assertThat(kube.condition("gpu-capped", "ReconcileError").path("status").asText()).isNotEqualTo("True");

    applyGpuCap("2");
    await("raising the cap starts it").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("gpu-capped")).as(() -> kube.describe("gpu-capped")).isEqualTo("Running"));
  }

  @Test
  void aServiceAccountThatDoesNotExistIsAWaitHoldingNothingRetriedWithBackoffAndCreatingItStartsTheJob() {
    // The ServiceAccount admission refuses every rank pod; Gangway does not judge ServiceAccounts ahead, so it learns at creation.
    kube.apply(Manifests.trainingJob("no-sa", 2, 1, "", "      serviceAccountName: trainer\n"));
    awaitWaiting("no-sa", "AdmissionRefused", "The API server refused a rank pod at creation", "serviceaccount \"trainer\" not found",
        "Gangway tries again at");
    long firstRefused = refusedPodCreates();
    String warnings = kube.kubectl("get", "events", "--field-selector", "involvedObject.name=no-sa,type=Warning", "-o",
        "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
    assertThat(warnings).contains("AdmissionRefused: The API server refused a rank pod at creation");
    await().pollDelay(Duration.ofSeconds(15)).atMost(WAIT).until(() -> true);
    long refused = refusedPodCreates();
    System.out.printf("[limits-e2e] missing ServiceAccount: refused pod creates %d at the first wait, %d 15 s later; pods %d; %s%n",
        firstRefused, refused, kube.pods("no-sa").size(), kube.condition("no-sa", "Placed").path("message").asText());
    // Retries wait 10 s, then 20 s: within 15 s at most one more try of the 2 ranks, not a loop.
    assertThat(refused - firstRefused).as("refused creates after the first wait").isLessThanOrEqualTo(2);
    assertThat(kube.pods("no-sa")).as("no rank pod holds a node meanwhile").isEmpty();
    assertThat(kube.condition("no-sa", "ReconcileError").path("status").asText()).isNotEqualTo("True");

    kube.kubectl("create", "serviceaccount", "trainer");
    await("creating the ServiceAccount starts it at the next try").atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(kube.phase("no-sa")).as(() -> kube.describe("no-sa")).isEqualTo("Running"));
  }

  @Test
  void aBlockedJobsTemplateCanBeFixedWithoutSuspendingItAndItStartsAtOnce() {
    kube.apply(Manifests.trainingJob("typo", 2, 1, "", "      serviceAccountName: trainr\n"));
    awaitWaiting("typo", "AdmissionRefused", "serviceaccount \"trainr\" not found");

    // No pod exists: the spec may change without a suspend, and the changed job is decided again at once, not at its retry.
    long fixed = System.nanoTime();
    Command.Result fix = cluster.kubectl("patch", "tj", "typo", "-n", kube.namespace(), "--type=json", "-p",
        "[{\"op\":\"remove\",\"path\":\"/spec/template/spec/serviceAccountName\"}]");
    assertThat(fix.exitCode()).as(fix.stderr()).isZero();
    await("the fixed job runs").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("typo")).as(() -> kube.describe("typo")).isEqualTo("Running"));
    System.out.printf("[limits-e2e] blocked job's template fixed: Running %d ms after the patch%n", (System.nanoTime() - fixed) / 1_000_000);

    // Running: the template is fixed again for as long as its pods exist.
    Command.Result running = cluster.kubectl("patch", "tj", "typo", "-n", kube.namespace(), "--type=merge", "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"serviceAccountName\":\"default\"}}}}");
    assertThat(running.exitCode()).isNotZero();
    assertThat(running.stderr()).contains("spec.template cannot change while the job runs");
  }

  @Test
  void aPolicyRefusingTheJobsServiceIsAWaitHoldingNothingAndLiftingItStartsTheJob() {
    // A ValidatingAdmissionPolicy refusing Services in this namespace (default denial: 422 Invalid). The gang cannot start
    // without its headless Service (the ranks' names): it waits, creating no pod, and is not at the head of the queue.
    String policy = kube.namespace() + "-no-services";
    cluster.kubectlWithInput(Manifests.servicesRefused(policy, kube.namespace(), "this namespace takes no Services", null), "apply", "-f", "-")
        .assertOk();
    try {
      await("the policy refuses Services").atMost(WAIT).until(() -> cluster.kubectl("create", "service", "clusterip", "probe",
          "--tcp=80", "-n", kube.namespace(), "--dry-run=server").exitCode() != 0);
      kube.apply(TrainingJobLifecycleE2eTest.job("no-svc", 2, 1, ""));
      awaitWaiting("no-svc", "AdmissionRefused", "The API server refused the job's Service at creation", "this namespace takes no Services",
          "Gangway tries again at");
      System.out.printf("[limits-e2e] Service refused by a policy: pod creates %d, pods %d; %s%n", podCreates(), kube.pods("no-svc").size(),
          kube.condition("no-svc", "Placed").path("message").asText());
      assertThat(podCreates()).as("rank pods created without their Service").isZero();
      assertThat(kube.condition("no-svc", "ReconcileError").path("status").asText()).isNotEqualTo("True");
    } finally {
      cluster.kubectl("delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", policy, "--ignore-not-found");
    }
    await("lifting the policy starts it at the next try").atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(kube.phase("no-svc")).as(() -> kube.describe("no-svc")).isEqualTo("Running"));
  }

  /** A LimitRange allowing each container of the namespace at most {@code max} GPUs. */
  private void applyGpuCap(String max) {
    cluster.kubectlWithInput("""
        apiVersion: v1
        kind: LimitRange
        metadata: {name: gpu-cap}
        spec:
          limits:
          - type: Container
            max: {nvidia.com/gpu: "%s"}
        """.formatted(max), "apply", "-n", kube.namespace(), "-f", "-").assertOk();
  }

  @Test
  void cpuSetAtPodLevelIsWhatTheQuotaAndTheGangsCheckCount() {
    // Kubernetes 1.34 (PodLevelResources, on by default): spec.resources is the pod's CPU, and its containers need not set any.
    kube.applyResourceQuota("cpu", "requests.cpu: \"3\"", WAIT);
    kube.apply(Manifests.withPodSpec("pod-level", 2, 0, "", "      resources: {requests: {cpu: \"2\"}}\n"
        + "      containers:\n      - name: trainer\n        image: busybox\n"));
    awaitWaiting("pod-level", "QuotaExceeded", "2 rank pods need requests.cpu 4 (2 each); ResourceQuota 'cpu'", "allows 3 in all");
    assertThat(podCreates()).as("rank pods created").isZero();

    kube.applyResourceQuota("cpu", "requests.cpu: \"4\"", WAIT);
    await("room for both ranks at pod level").atMost(WAIT)
        .untilAsserted(() -> assertThat(kube.phase("pod-level")).as(() -> kube.describe("pod-level")).isEqualTo("Running"));
    assertThat(kube.get("resourcequota", "cpu").path("status").path("used").path("requests.cpu").asText()).isEqualTo("4");
  }

  /**
   * A platform's sidecar injection, as a MutatingAdmissionPolicy (a webhook's in-process stand-in): every pod created in
   * the namespace gets a container asking {@code cpu} CPUs, which the quota counts and the job's template does not show.
   */
  private String sidecarPolicy(String name, String cpu) {
    return """
        apiVersion: admissionregistration.k8s.io/v1beta1
        kind: MutatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          matchConstraints:
            resourceRules:
            - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}
          matchConditions:
          - {name: no-sidecar-yet, expression: "!object.spec.containers.exists(c, c.name == 'mesh-proxy')"}
          failurePolicy: Fail
          reinvocationPolicy: Never
          mutations:
          - patchType: ApplyConfiguration
            applyConfiguration:
              expression: >
                Object{spec: Object.spec{containers: [Object.spec.containers{name: "mesh-proxy", image: "mesh-proxy:1",
                resources: Object.spec.containers.resources{requests: {"cpu": "%2$s"}}}]}}
        ---
        apiVersion: admissionregistration.k8s.io/v1beta1
        kind: MutatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec:
          policyName: %1$s
          matchResources:
            namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: %3$s}
        """.formatted(name, cpu, kube.namespace());
  }

  @Test
  void aGangPartOfWhichTheQuotaRefusesAtCreationIsDeletedAndWaitsCountingItsPodsAsTheServerDid() {
    String policy = "e2e-sidecar-" + kube.namespace();
    try {
      cluster.kubectlWithInput(sidecarPolicy(policy, "2"), "apply", "-f", "-").assertOk();
      await("the sidecar policy mutates pods").atMost(WAIT).until(() -> cluster.kubectl("run", "probe", "-n", kube.namespace(),
          "--image=probe", "--dry-run=server", "-o", "jsonpath={.spec.containers[*].name}").stdout().contains("mesh-proxy"));
      // The template asks for half a CPU per rank, so the gang's check finds room for 1 of 3; each pod counts 2.5 CPUs at
      // admission, so the quota admits one rank of two.
      kube.applyResourceQuota("cpu", "requests.cpu: \"3\"", WAIT);
      kube.apply(Manifests.withPodSpec("sidecars", 2, 0, "", "      containers:\n      - name: trainer\n        image: busybox\n"
          + "        resources: {requests: {cpu: 500m}}\n"));
      await("the half gang is deleted and the job waits as the server counts its pods").atMost(WAIT).untilAsserted(() -> {
        JsonNode placed = kube.condition("sidecars", "Placed");
        assertThat(placed.path("reason").asText()).as(() -> kube.describe("sidecars")).isEqualTo("QuotaExceeded");
        assertThat(placed.path("message").asText()).as(() -> kube.describe("sidecars"))
            .contains("2 rank pods need requests.cpu 5 (2.5 each); ResourceQuota 'cpu'", "allows 3 in all");
        assertThat(kube.pods("sidecars")).isEmpty();
      });
      String warnings = kube.kubectl("get", "events", "--field-selector", "involvedObject.name=sidecars,type=Warning", "-o",
          "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
      assertThat(warnings).contains("QuotaExceeded: ResourceQuota 'cpu' refused a rank pod at creation", "exceeded quota: cpu");
      long creates = podCreates();
      long refused = refusedPodCreates();
      await().pollDelay(Duration.ofSeconds(10)).atMost(WAIT).until(() -> true);
      System.out.printf("[limits-e2e] sidecar quota refusal: pod creates %d (refused %d), 10 s later %d; phase %s%n", creates, refused,
          podCreates(), kube.phase("sidecars"));
      assertThat(refused).as("refused creates").isPositive();
      assertThat(podCreates()).as("no create, refuse, delete loop").isEqualTo(creates);
      assertThat(kube.phase("sidecars")).isEqualTo("Pending");
      assertThat(kube.condition("sidecars", "ReconcileError").path("status").asText()).isNotEqualTo("True");

      kube.applyResourceQuota("cpu", "requests.cpu: \"5\"", WAIT);
      await("room for the whole gang as the server counts it").atMost(WAIT)
          .untilAsserted(() -> assertThat(kube.phase("sidecars")).as(() -> kube.describe("sidecars")).isEqualTo("Running"));
      assertThat(kube.pods("sidecars")).hasSize(2);
    } finally {
      cluster.kubectl("delete", "mutatingadmissionpolicybinding,mutatingadmissionpolicy", policy, "--ignore-not-found");
    }
    assertThat(env.operator().isAlive()).isTrue();
  }

  /** A LimitRange giving each container of the namespace a CPU request of {@code cpu} (and a limit of as much, if {@code limit}). */
  private void applyCpuDefaults(String cpu, boolean limit) {
    cluster.kubectlWithInput("""
        apiVersion: v1
        kind: LimitRange
        metadata: {name: defaults}
        spec:
          limits:
          - type: Container
            defaultRequest: {cpu: "%s"}
        """.formatted(cpu) + (limit ? "    default: {cpu: \"" + cpu + "\"}\n" : ""), "apply", "-n", kube.namespace(), "-f", "-").assertOk();
  }

  /** Waits until the job waits with Placed=False for the reason, its message saying each of {@code says}. */
  private void awaitWaiting(String job, String reason, String... says) {
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode placed = kube.condition(job, "Placed");
      assertThat(placed.path("reason").asText()).as(() -> kube.describe(job)).isEqualTo(reason);
      assertThat(placed.path("message").asText()).contains(says);
    });
  }

  private long podCreates() {
    return AuditedRequest.read(cluster.auditLog(), "admin").stream()
        .filter(r -> r.verb().equals("create") && r.resource().equals("pods") && kube.namespace().equals(r.namespace())).count();
  }

  private long refusedPodCreates() {
    return AuditedRequest.read(cluster.auditLog(), "admin").stream()
        .filter(r -> r.code() == 403 && r.verb().equals("create") && r.resource().equals("pods") && kube.namespace().equals(r.namespace()))
        .count();
  }

  @Test
  void aPriorityClassThatDoesNotExistIsAWaitingConditionWithNoRefusedCreatesAndCreatingTheClassStartsTheJob() {
    String priorityClass = "e2e-missing-" + kube.namespace();
    try {
      kube.apply(Manifests.trainingJob("no-class", 2, 1, "", "      priorityClassName: " + priorityClass + "\n"));
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode placed = kube.condition("no-class", "Placed");
        assertThat(placed.path("reason").asText()).as(() -> kube.describe("no-class")).isEqualTo("PriorityClassNotFound");
        assertThat(placed.path("message").asText()).contains("PriorityClass \"" + priorityClass + "\", which does not exist");
      });
      await().pollDelay(Duration.ofSeconds(10)).atMost(WAIT).until(() -> true);
      long podCreates = AuditedRequest.read(cluster.auditLog(), "admin").stream()
          .filter(r -> r.verb().equals("create") && r.resource().equals("pods") && kube.namespace().equals(r.namespace())).count();
      System.out.printf("[limits-e2e] missing PriorityClass: pod creates in 10+ s %d, pods %d, ReconcileError %s%n", podCreates,
          objects("pods"), kube.condition("no-class", "ReconcileError").path("status").asText("none"));
      assertThat(podCreates).as("pod creations the Priority admission plugin would refuse").isZero();
      assertThat(kube.condition("no-class", "ReconcileError").path("status").asText()).isNotEqualTo("True");

      cluster.kubectlOk("create", "priorityclass", priorityClass, "--value=100");
      await("the job starts once its class exists").atMost(WAIT)
          .untilAsserted(() -> assertThat(kube.phase("no-class")).as(() -> kube.describe("no-class")).isEqualTo("Running"));
    } finally {
      cluster.kubectl("delete", "priorityclass", priorityClass, "--ignore-not-found");
    }
  }

  private int objects(String kind) {
    return (int) cluster.kubectlOk("get", kind, "-n", kube.namespace(), "-o", "name").lines().filter(l -> !l.isBlank()).count();
  }

  /** The chart's jobLimits policy, capped at 64 ranks and 256 GPUs per job, for this class's capped namespace only. */
  private String render() {
    return HelmCommand.run(cluster, "template", "gangway", E2eEnvironment.REPO.resolve("charts/gangway").toString(),
        "--show-only", "templates/job-limits.yaml", "--set", "jobLimits.maxRanksPerJob=64", "--set", "jobLimits.maxGpusPerJob=256",
        "--set", "jobLimits.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=" + capped.namespace()).assertOk().stdout();
  }
}
