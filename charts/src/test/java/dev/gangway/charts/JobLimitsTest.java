package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What jobLimits renders: a ranks-per-job cap by default, a GPUs-per-job cap when set, nothing when
 * both are null, whatever templatePolicy.level says. JobLimitsE2eTest proves the CEL on the real
 * kube-apiserver.
 */
class JobLimitsTest {
  private static final String NAME = "gangway-job-limits";

  @Test
  void byDefaultOnlyRanksPerJobAreCappedAt4096InEveryNamespace() {
    Manifests m = Manifests.parse(Helm.renderScenario(null));
    Map<String, Object> policy = m.one("ValidatingAdmissionPolicy", NAME);
    assertThat(expressions(policy)).containsExactly("object.spec.replicas <= 4096");
    assertThat(Manifests.map(policy, "spec").get("failurePolicy")).isEqualTo("Fail");
    Map<String, Object> binding = Manifests.map(m.one("ValidatingAdmissionPolicyBinding", NAME), "spec");
    assertThat(binding.get("validationActions")).isEqualTo(List.of("Deny"));
    assertThat(Manifests.map(binding, "matchResources", "namespaceSelector")).isEmpty();
  }

  @Test
  void aGpuCapAddsItsRuleAndTheTemplatePolicyLevelDoesNotMatter() {
    Manifests m = render("--set", "jobLimits.maxGpusPerJob=512", "--set", "jobLimits.maxRanksPerJob=64", "--set", "templatePolicy.level=off");
    Map<String, Object> policy = m.one("ValidatingAdmissionPolicy", NAME);
    assertThat(expressions(policy)).containsExactly("object.spec.replicas <= 64", "variables.gpus <= 512");
    assertThat(Manifests.maps(Manifests.map(policy, "spec").get("validations"))).extracting(v -> (String) v.get("message"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.replicas: over the cap of 64 ranks").contains("jobLimits.maxRanksPerJob"))
        .anySatisfy(msg -> assertThat(msg).startsWith("spec.replicas x spec.gpusPerReplica: over the cap of 512 GPUs"));
  }

  @Test
  void noCapsRenderNoPolicy() {
    Manifests m = render("--set", "jobLimits.maxRanksPerJob=null");
    assertThat(m.ofKind("ValidatingAdmissionPolicy")).extracting(Manifests::name).doesNotContain(NAME);
    assertThat(m.ofKind("ValidatingAdmissionPolicyBinding")).extracting(Manifests::name).doesNotContain(NAME);
  }

  @Test
  void aCapBelowOneIsRefusedByTheValuesSchema() {
    Helm.Result result = Helm.template("--set", "jobLimits.maxRanksPerJob=0");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("/jobLimits/maxRanksPerJob");
  }

  private static Manifests render(String... args) {
    return Manifests.parse(Helm.template(args).assertSucceeded().stdout());
  }

  private static List<String> expressions(Map<String, Object> policy) {
    return Manifests.maps(Manifests.map(policy, "spec").get("validations")).stream().map(v -> (String) v.get("expression")).toList();
  }
}
