package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What templatePolicy renders: no policy when off; the baseline rules by default; restricted adds its
 * own; allow-lists and the namespace selector reach the CEL and the binding. Whether the CEL refuses
 * what it should is proven on the real kube-apiserver (TemplatePolicyE2eTest).
 */
class TemplatePolicyTest {
  private static final String NAME = "gangway-template-policy";
  private static final List<String> BASELINE_CAPABILITIES = List.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
      "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

  @Test
  void offRendersNoPolicyAndNoBinding() {
    Manifests m = render("--set", "templatePolicy.level=off");
    // The job-size caps (jobLimits) are a policy of their own and stay.
    assertThat(m.ofKind("ValidatingAdmissionPolicy")).extracting(Manifests::name).doesNotContain(NAME);
    assertThat(m.ofKind("ValidatingAdmissionPolicyBinding")).extracting(Manifests::name).doesNotContain(NAME);
  }

  @Test
  void baselineIsTheDefaultAndDeniesInEveryNamespace() {
    Manifests m = Manifests.parse(Helm.renderScenario(null));
    Map<String, Object> policy = m.one("ValidatingAdmissionPolicy", NAME);
    Map<String, Object> spec = Manifests.map(policy, "spec");
    assertThat(spec.get("failurePolicy")).isEqualTo("Fail");
    Map<String, Object> rule = Manifests.maps(Manifests.map(spec, "matchConstraints").get("resourceRules")).get(0);
    assertThat(rule.get("apiGroups")).isEqualTo(List.of("gangway.dev"));
    assertThat(rule.get("resources")).isEqualTo(List.of("trainingjobs"));
    assertThat(rule.get("operations")).isEqualTo(List.of("CREATE", "UPDATE"));

    Map<String, Object> binding = Manifests.map(m.one("ValidatingAdmissionPolicyBinding", NAME), "spec");
    assertThat(binding.get("policyName")).isEqualTo(NAME);
    assertThat(binding.get("validationActions")).isEqualTo(List.of("Deny"));
    assertThat(Manifests.map(binding, "matchResources", "namespaceSelector")).isEmpty();

    assertThat(messages(policy)).allSatisfy(msg -> assertThat(msg).contains("by the gangway template policy (level baseline)"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.containers[*].securityContext.privileged: privileged"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.initContainers[*].securityContext.privileged: privileged"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.ephemeralContainers[*].securityContext.privileged: privileged"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.containers[*].securityContext.capabilities.add: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.containers[*].ports: host ports"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.hostNetwork: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.hostPID: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.hostIPC: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.volumes[*].hostPath: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.serviceAccountName: ").endsWith("allowed: [default]"))
        .noneSatisfy(msg -> assertThat(msg).contains("allowPrivilegeEscalation"))
        .noneSatisfy(msg -> assertThat(msg).contains("automountServiceAccountToken"));
    assertThat(variable(policy, "allowedCapabilities")).isEqualTo(celList(BASELINE_CAPABILITIES));
  }

  @Test
  void restrictedAddsPrivilegeEscalationAndTheTokenAndNarrowsCapabilities() {
    Map<String, Object> policy = render("--set", "templatePolicy.level=restricted").one("ValidatingAdmissionPolicy", NAME);
    assertThat(messages(policy)).allSatisfy(msg -> assertThat(msg).contains("(level restricted)"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.containers[*].securityContext.allowPrivilegeEscalation: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.initContainers[*].securityContext.allowPrivilegeEscalation: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.automountServiceAccountToken: "))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.template.spec.containers[*].securityContext.privileged: "));
    assertThat(variable(policy, "allowedCapabilities")).isEqualTo(celList(List.of("NET_BIND_SERVICE")));
  }

  @Test
  void allowListsAndTheNamespaceSelectorComeFromValues() {
    Manifests m = render("--set", "templatePolicy.allowedCapabilities={NET_ADMIN,IPC_LOCK}", "--set",
        "templatePolicy.allowedServiceAccounts={default,trainer}", "--set", "templatePolicy.namespaceSelector.matchLabels.tenant=ml",
        "--set", "templatePolicy.validationActions={Warn,Audit}");
    Map<String, Object> policy = m.one("ValidatingAdmissionPolicy", NAME);
    assertThat(variable(policy, "allowedCapabilities")).isEqualTo(celList(List.of("NET_ADMIN", "IPC_LOCK")));
    assertThat(messages(policy)).anySatisfy(msg -> assertThat(msg).endsWith("allowed: [default, trainer]"));
    assertThat(expressions(policy)).contains("variables.serviceAccount in [\"default\",\"trainer\"]");
    Map<String, Object> binding = Manifests.map(m.one("ValidatingAdmissionPolicyBinding", NAME), "spec");
    assertThat(Manifests.map(binding, "matchResources", "namespaceSelector")).isEqualTo(Map.of("matchLabels", Map.of("tenant", "ml")));
    assertThat(binding.get("validationActions")).isEqualTo(List.of("Warn", "Audit"));
  }

  @Test
  void anEmptyCapabilityListAllowsNoneAndAStarAllowsAnyServiceAccount() {
    Map<String, Object> policy = render("--set-json", "templatePolicy.allowedCapabilities=[]", "--set",
        "templatePolicy.allowedServiceAccounts={*}").one("ValidatingAdmissionPolicy", NAME);
    assertThat(variable(policy, "allowedCapabilities")).isEqualTo("[]");
    assertThat(messages(policy)).noneSatisfy(msg -> assertThat(msg).contains("serviceAccountName"));
  }

  @Test
  void anUnknownLevelIsRefusedBeforeAnythingRenders() {
    Helm.Result result = Helm.template("--set", "templatePolicy.level=strict");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("/templatePolicy/level").contains("'off', 'baseline', 'restricted'");
  }

  private static Manifests render(String... args) {
    return Manifests.parse(Helm.template(args).assertSucceeded().stdout());
  }

  private static List<Map<String, Object>> validations(Map<String, Object> policy) {
    return Manifests.maps(Manifests.map(policy, "spec").get("validations"));
  }

  /** The static message of each validation (what kube-apiserver says if its messageExpression cannot be evaluated). */
  private static List<String> messages(Map<String, Object> policy) {
    return validations(policy).stream().map(v -> (String) v.get("message")).toList();
  }

  private static List<String> expressions(Map<String, Object> policy) {
    return validations(policy).stream().map(v -> (String) v.get("expression")).toList();
  }

  private static String variable(Map<String, Object> policy, String name) {
    return Manifests.maps(Manifests.map(policy, "spec").get("variables")).stream().filter(v -> name.equals(v.get("name")))
        .map(v -> (String) v.get("expression")).findFirst().orElseThrow(() -> new AssertionError("no variable " + name));
  }

  private static String celList(List<String> items) {
    return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(",", "[", "]"));
  }
}
