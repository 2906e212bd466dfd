package dev.gangway.charts;

import static dev.gangway.charts.Manifests.name;
import static dev.gangway.charts.Manifests.permissions;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rules no version of the chart may break, read from the rendered templates. Which verbs the
 * operator gets is not checked here (that would only repeat the template): ChartInstallE2eTest runs
 * the operator on the installed chart's grants and checks them with kubectl auth can-i against
 * what the code does (e2e OperatorAccess).
 */
class RbacTest {

  /** Secrets: create only (an MPI job's ssh keys); reading one would expose every Secret of the namespace. */
  @Test
  void noRuleUsesWildcardsOrReadsSecrets() {
    for (String values : new String[] {null, "watch-namespaces.yaml", "taint-nodes.yaml"}) {
      Manifests m = Manifests.parse(Helm.renderScenario(values));
      for (String kind : List.of("ClusterRole", "Role")) {
        for (Map<String, Object> role : m.ofKind(kind)) {
          Map<String, java.util.Set<String>> permissions = permissions(role);
          assertThat(permissions).as("%s %s", kind, name(role))
              .doesNotContainKeys("/*", "*/*")
              .allSatisfy((resource, verbs) -> assertThat(verbs).doesNotContain("*", "escalate", "bind", "impersonate"));
          assertThat(permissions.getOrDefault("/secrets", java.util.Set.of())).as("%s %s secrets", kind, name(role)).isSubsetOf("create");
        }
      }
    }
  }

  @Test
  void rbacCanBeLeftToTheUser() {
    Manifests m = Manifests.parse(Helm.template("--set", "rbac.create=false").assertSucceeded().stdout());
    assertThat(m.all()).extracting(o -> (String) o.get("kind"))
        .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
  }
}
