package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's template policy on the real kube-apiserver: the ValidatingAdmissionPolicy and binding
 * exactly as `helm template` renders them for each level (only templates/template-policy.yaml, applied
 * with kubectl: ChartInstallE2eTest installs the whole release), scoped by the chart's namespaceSelector
 * to this class's namespaces. Each forbidden template is refused at `kubectl apply` with the field and
 * the rule; an allowed one is accepted and its ranks run on the KWOK nodes with the shared operator.
 * With the policy off, a privileged template gets through, and Pod Security Admission on a labelled
 * namespace refuses the operator's pods instead: the job fails with the admission's message.
 *
 * <p>A policy takes a moment to reach the API server's admission after it is written: each change is
 * followed by a bounded poll with server-side dry runs, never by a sleep.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TemplatePolicyE2eTest {
  private static final String RELEASE = "policy-e2e";
  private static final String POLICY = RELEASE + "-gangway-template-policy";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASELINE = "by the gangway template policy (level baseline)";
  private static final String RESTRICTED = "by the gangway template policy (level restricted)";

  private final ClusterUnderTest cluster;
  private Kube kube;
  private Kube podSecurity;

  TemplatePolicyE2eTest(E2eEnvironment env) {
    this.cluster = env.clusterUnderTest();
  }

  @BeforeAll
  void installTheBaselinePolicy() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube = Kube.inFreshNamespace(cluster, "policy");
    podSecurity = Kube.inFreshNamespace(cluster, "policy-psa");
    cluster.kubectlOk("label", "namespace", podSecurity.namespace(), "pod-security.kubernetes.io/enforce=baseline");
    String rendered = render("baseline");
    assertThat(rendered).contains("kind: ValidatingAdmissionPolicy\n", "kind: ValidatingAdmissionPolicyBinding\n");
    cluster.kubectlWithInput(rendered, "apply", "-f", "-").assertOk();
    awaitRefused(job("probe", "", containers(trainer("securityContext: {privileged: true}"))));
  }

  @AfterAll
  void removeThePolicy() {
    if (kube == null) {
      return; // skipped
    }
    cluster.kubectl("delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", POLICY, "--ignore-not-found");
    kube.deleteNamespace(WAIT);
    podSecurity.deleteNamespace(WAIT);
  }

  /** The API server type-checked every expression against the TrainingJob schema and found nothing to warn about. */
  @Test
  @Order(1)
  void everyExpressionTypeChecksAgainstTheTrainingJobSchema() {
    await("the policy's type check").atMost(WAIT).until(() -> {
      JsonNode policy = json(cluster.kubectlOk("get", "validatingadmissionpolicy", POLICY, "-o", "json"));
      return policy.path("status").path("observedGeneration").asLong() == policy.path("metadata").path("generation").asLong();
    });
    JsonNode status = json(cluster.kubectlOk("get", "validatingadmissionpolicy", POLICY, "-o", "json")).path("status");
    assertThat(status.path("typeChecking").path("expressionWarnings")).as(status.toString()).isEmpty();
  }

  static Stream<Arguments> forbiddenAtBaseline() {
    return Stream.of(
        Arguments.of("privileged", containers(item("sidecar", ""), trainer("securityContext: {privileged: true}")),
            "spec.template.spec.containers[1].securityContext.privileged: privileged containers are forbidden " + BASELINE),
        Arguments.of("privileged-init", list("initContainers", item("setup", "securityContext: {privileged: true}")) + containers(trainer("")),
            "spec.template.spec.initContainers[0].securityContext.privileged: privileged containers are forbidden " + BASELINE),
        Arguments.of("privileged-ephemeral", list("ephemeralContainers", item("debug", "securityContext: {privileged: true}"))
                + containers(trainer("")),
            "spec.template.spec.ephemeralContainers[0].securityContext.privileged: privileged containers are forbidden " + BASELINE),
        Arguments.of("host-network", pod("hostNetwork: true") + containers(trainer("")),
            "spec.template.spec.hostNetwork: sharing the host's network namespace is forbidden " + BASELINE),
        Arguments.of("host-pid", pod("hostPID: true") + containers(trainer("")),
            "spec.template.spec.hostPID: sharing the host's process namespace is forbidden " + BASELINE),
        Arguments.of("host-ipc", pod("hostIPC: true") + containers(trainer("")),
            "spec.template.spec.hostIPC: sharing the host's IPC namespace is forbidden " + BASELINE),
        Arguments.of("host-path", pod("volumes: [{name: scratch, emptyDir: {}}, {name: docker, hostPath: {path: /var/run/docker.sock}}]")
                + containers(trainer("")),
            "spec.template.spec.volumes[1].hostPath: hostPath volumes are forbidden " + BASELINE),
        Arguments.of("host-port", containers(trainer("ports: [{containerPort: 29500}, {containerPort: 8080, hostPort: 8080}]")),
            "spec.template.spec.containers[0].ports: host ports are forbidden " + BASELINE),
        Arguments.of("capability", containers(trainer("securityContext: {capabilities: {add: [NET_BIND_SERVICE, SYS_ADMIN]}}")),
            "spec.template.spec.containers[0].securityContext.capabilities.add: adding SYS_ADMIN is forbidden " + BASELINE
                + "; allowed: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]"),
        Arguments.of("service-account", pod("serviceAccountName: builder") + containers(trainer("")),
            "spec.template.spec.serviceAccountName: ServiceAccount builder is forbidden " + BASELINE + "; allowed: [default]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forbiddenAtBaseline")
  @Order(2)
  void eachForbiddenTemplateIsRefusedAtApplyWithTheFieldAndTheRule(String name, String podSpec, String message) {
    Command.Result applied = kube.tryApply(job(name, "", podSpec));
    assertThat(applied.exitCode()).as(applied.stdout()).isNotZero();
    assertThat(applied.stderr()).contains("ValidatingAdmissionPolicy '" + POLICY + "'").contains(message);
    assertThat(cluster.kubectl("get", "tj", name, "-n", kube.namespace()).exitCode()).as("nothing was stored").isNotZero();
  }

  /** templatePolicy.namespaceSelector scopes the binding: a namespace it does not select is not judged. */
  @Test
  @Order(3)
  void aNamespaceTheSelectorLeavesOutIsNotJudged() {
    Kube elsewhere = Kube.inFreshNamespace(cluster, "policy-unselected");
    try {
      String privileged = job("privileged", "", containers(trainer("securityContext: {privileged: true}")));
      Command.Result accepted = cluster.kubectlWithInput(privileged, "apply", "--dry-run=server", "-n", elsewhere.namespace(), "-f", "-");
      assertThat(accepted.exitCode()).as(accepted.stderr()).isZero();
      assertThat(dryRun(privileged).exitCode()).as("the same job in the selected namespace").isNotZero();
    } finally {
      elsewhere.deleteNamespace(WAIT);
    }
  }

  @Test
  @Order(4)
  void anAllowedTemplateIsAcceptedAndRuns() {
    kube.apply(job("allowed", "", pod("serviceAccountName: default\nvolumes: [{name: scratch, emptyDir: {}}]")
        + list("initContainers", item("setup", "securityContext: {allowPrivilegeEscalation: false}"))
        + containers(trainer("securityContext: {capabilities: {add: [NET_BIND_SERVICE, SYS_CHROOT], drop: [ALL]}}\nports: [{containerPort: 29500}]"))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("allowed")).as(() -> kube.describe("allowed")).isEqualTo("Running"));
    assertThat(kube.pods("allowed")).hasSize(2);
    // The template of a suspended job may change (the CRD allows it), and the change is judged as an UPDATE.
    kube.apply(job("changing", "  suspend: true\n", containers(trainer(""))));
    Command.Result changed = kube.tryApply(job("changing", "  suspend: true\n", pod("hostNetwork: true") + containers(trainer(""))));
    assertThat(changed.exitCode()).isNotZero();
    assertThat(changed.stderr()).contains("spec.template.spec.hostNetwork: sharing the host's network namespace is forbidden " + BASELINE);
  }

  @Test
  @Order(5)
  void restrictedAlsoRequiresNoPrivilegeEscalationAndNoTokenAndNarrowsCapabilities() {
    cluster.kubectlWithInput(render("restricted"), "apply", "-f", "-").assertOk();
    // What baseline allowed above is refused once the restricted policy is in effect.
    String baselineOnly = job("baseline-only", "", containers(trainer("")));
    awaitRefused(baselineOnly);
    Command.Result refused = kube.tryApply(baselineOnly);
    assertThat(refused.stderr()).containsAnyOf(
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: privilege escalation is forbidden " + RESTRICTED
            + "; set allowPrivilegeEscalation: false",
        "spec.template.spec.automountServiceAccountToken: mounting the ServiceAccount's API token is forbidden " + RESTRICTED);

    String hardened = trainer("securityContext: {allowPrivilegeEscalation: false}");
    List<String> wrong = new ArrayList<>();
    expectRefused(wrong, job("token", "", containers(hardened)),
        "spec.template.spec.automountServiceAccountToken: mounting the ServiceAccount's API token is forbidden " + RESTRICTED + "; set it to false");
    expectRefused(wrong, job("escalation", "", pod("automountServiceAccountToken: false") + containers(trainer(""))),
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: privilege escalation is forbidden " + RESTRICTED);
    expectRefused(wrong, job("chroot", "", pod("automountServiceAccountToken: false")
            + containers(trainer("securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [SYS_CHROOT]}}"))),
        "spec.template.spec.containers[0].securityContext.capabilities.add: adding SYS_CHROOT is forbidden " + RESTRICTED
            + "; allowed: [NET_BIND_SERVICE]");
    assertThat(wrong).isEmpty();

    kube.apply(job("restricted", "", pod("automountServiceAccountToken: false") + containers(hardened)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("restricted")).as(() -> kube.describe("restricted")).isEqualTo("Running"));
    // A job accepted earlier is not judged again unless its template changes: it can still be labelled.
    kube.kubectl("label", "tj", "allowed", "team=research");
  }

  @Test
  @Order(6)
  void offRendersNoPolicyAndPodSecurityAdmissionThenRefusesTheOperatorsPods() {
    // `--show-only` refuses a template that renders nothing: look at the whole release.
    String release = HelmCommand.run(cluster, "template", RELEASE, E2eEnvironment.REPO.resolve("charts/gangway").toString(),
        "--set", "templatePolicy.level=off").assertOk().stdout();
    // The job-limits policy is a ValidatingAdmissionPolicy of its own and stays: only the template policy goes.
    assertThat(release).contains("kind: Deployment").doesNotContain("name: " + POLICY);
    // What `helm upgrade --set templatePolicy.level=off` does: the rendered objects are gone.
    cluster.kubectlOk("delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", POLICY);
    String privileged = job("privileged", "", containers(trainer("securityContext: {privileged: true}")));
    long t0 = System.nanoTime();
    await("the policy is out of admission").atMost(WAIT).until(() -> dryRun(privileged).exitCode() == 0);
    System.out.printf("[policy-e2e] policy out of effect %d ms after kubectl delete returned%n", (System.nanoTime() - t0) / 1_000_000);
    kube.apply(privileged);
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("privileged")).as(() -> kube.describe("privileged")).isEqualTo("Running"));
    assertThat(kube.pods("privileged")).allSatisfy(p -> assertThat(
        p.path("spec").path("containers").get(0).path("securityContext").path("privileged").asBoolean()).isTrue());

    // In a namespace labelled for Pod Security Admission the TrainingJob is accepted, but the API server
    // refuses the pods the operator creates; the job fails and says why instead of retrying the same pod.
    podSecurity.apply(privileged);
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode failed = podSecurity.condition("privileged", "Failed");
      assertThat(failed.path("status").asText()).as(() -> podSecurity.describe("privileged")).isEqualTo("True");
      assertThat(failed.path("reason").asText()).isEqualTo("InvalidSpec");
      assertThat(failed.path("message").asText()).contains("violates PodSecurity \"baseline:latest\"", "privileged",
          "Fix spec.template");
    });
    assertThat(podSecurity.phase("privileged")).isEqualTo("Failed");
    assertThat(podSecurity.pods("privileged")).isEmpty();
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** Only the policy and binding of the chart, for this class's namespaces. */
  private String render(String level) {
    return HelmCommand.run(cluster, "template", RELEASE, E2eEnvironment.REPO.resolve("charts/gangway").toString(),
        "--show-only", "templates/template-policy.yaml", "--set", "templatePolicy.level=" + level,
        "--set", "templatePolicy.namespaceSelector.matchExpressions[0].key=kubernetes.io/metadata.name",
        "--set", "templatePolicy.namespaceSelector.matchExpressions[0].operator=In",
        "--set", "templatePolicy.namespaceSelector.matchExpressions[0].values={" + kube.namespace() + "," + podSecurity.namespace() + "}")
        .assertOk().stdout();
  }

  /** Polls with server-side dry runs (admission runs, nothing is stored) until the current policy refuses the manifest. */
  private void awaitRefused(String manifest) {
    long t0 = System.nanoTime();
    await("the policy is in admission").atMost(WAIT).until(() -> dryRun(manifest).exitCode() != 0);
    System.out.printf("[policy-e2e] policy in effect %d ms after kubectl apply returned%n", (System.nanoTime() - t0) / 1_000_000);
  }

  private Command.Result dryRun(String manifest) {
    return cluster.kubectlWithInput(manifest, "apply", "--dry-run=server", "-n", kube.namespace(), "-f", "-");
  }

  private void expectRefused(List<String> wrong, String manifest, String message) {
    Command.Result r = kube.tryApply(manifest);
    if (r.exitCode() == 0 || !r.stderr().contains(message)) {
      wrong.add("expected \"" + message + "\", got exit " + r.exitCode() + ": " + r.stderr().strip());
    }
  }

  /** Fields of the template's spec, given unindented. */
  private static String pod(String fields) {
    return fields.indent(6);
  }

  private static String containers(String... items) {
    return list("containers", items);
  }

  /** A list field of the template's spec (containers, initContainers, ...) with the given items. */
  private static String list(String field, String... items) {
    return pod(field + ":") + String.join("", Stream.of(items).map(i -> i.indent(8)).toList());
  }

  /** The training container, with further fields given unindented. */
  private static String trainer(String fields) {
    return item("trainer", fields);
  }

  private static String item(String name, String fields) {
    return "- name: " + name + "\n  image: busybox\n" + (fields.isEmpty() ? "" : fields.indent(2));
  }

  /** A two-rank job; podSpec is the template's spec, each line indented six spaces. */
  private static String job(String name, String extraSpec, String podSpec) {
    return Manifests.withPodSpec(name, 2, 1, extraSpec, podSpec);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
