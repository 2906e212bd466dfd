package dev.gangway.charts;

import static dev.gangway.charts.Manifests.name;
import static dev.gangway.charts.Manifests.namespace;
import static dev.gangway.charts.Manifests.permissions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The operator gets exactly the permissions it uses, in the scope it uses them. */
class RbacTest {

  private static final String SA = "gangway";

  /** What the reconcilers do in the namespaces they watch. */
  private static final Map<String, Set<String>> NAMESPACED = Map.of(
      "gangway.dev/trainingjobs", Set.of("get", "list", "watch", "patch", "update", "delete"),
      "gangway.dev/trainingjobs/status", Set.of("get", "patch", "update"),
      "gangway.dev/trainingjobs/finalizers", Set.of("update"),
      "/pods", Set.of("get", "list", "watch", "create", "delete", "patch", "update"),
      "/pods/log", Set.of("get"),
      "/services", Set.of("get", "list", "watch", "create", "delete", "patch", "update"),
      "/configmaps", Set.of("get", "list", "watch", "create", "delete", "patch", "update"),
      "/events", Set.of("create", "patch"),
      "events.k8s.io/events", Set.of("create", "patch"));

  /**
   * Cluster-scoped reads, and node patch for the health annotation (node update only when tainting or cordoning). Pods are read cluster-wide even when
   * only some namespaces are watched: placement must count GPUs that pods of every namespace hold.
   */
  private static final Map<String, Set<String>> CLUSTER_READS = Map.of(
      "/pods", Set.of("get", "list", "watch"),
      "scheduling.k8s.io/priorityclasses", Set.of("get", "list", "watch"),
      "gangway.dev/clustertopologies", Set.of("get", "list", "watch"),
      "/nodes", Set.of("get", "list", "watch", "patch"),
      "apiextensions.k8s.io/customresourcedefinitions", Set.of("get", "list"),
      "authentication.k8s.io/tokenreviews", Set.of("create"),
      "authorization.k8s.io/subjectaccessreviews", Set.of("create"));

  @Test
  void defaultModeUsesOneClusterRolePatchingNodesOnlyForTheHealthAnnotation() {
    Manifests m = Manifests.parse(Helm.renderScenario(null));

    Map<String, Object> clusterRole = m.one("ClusterRole", "gangway");
    assertThat(permissions(clusterRole)).isEqualTo(union(NAMESPACED, CLUSTER_READS));
    assertThat(permissions(clusterRole).get("/nodes")).contains("patch").doesNotContain("update");
    assertThat(m.ofKind("ClusterRole")).extracting(Manifests::name).containsExactlyInAnyOrder("gangway", "gangway-node-health-reporter");

    assertBoundToOperator(m.one("ClusterRoleBinding", "gangway"), "ClusterRole", "gangway");
    // The only Role is the leader-election one: no per-namespace Roles in cluster-wide mode.
    assertThat(m.ofKind("Role")).extracting(Manifests::name).containsExactly("gangway-leader-election");
    assertLeaderElectionRole(m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"taint-nodes.yaml", "cordon-nodes.yaml"})
  void markingNodesAddsNodeUpdateAndNothingElse(String scenario) {
    Manifests m = Manifests.parse(Helm.renderScenario(scenario));

    Map<String, Set<String>> expected = union(NAMESPACED, CLUSTER_READS);
    expected.put("/nodes", Set.of("get", "list", "watch", "patch", "update"));
    assertThat(permissions(m.one("ClusterRole", "gangway"))).isEqualTo(expected);
  }

  @Test
  void taintingNodesInNamespacedModePutsNodeWritesInTheClusterRole() {
    Manifests m = Manifests.parse(Helm.template("--set", "watchNamespaces={team-a}", "--set", "nodeHealth.taintNodes=true")
        .assertSucceeded().stdout());
    assertThat(permissions(m.one("ClusterRole", "gangway-cluster")).get("/nodes"))
        .containsExactlyInAnyOrder("get", "list", "watch", "patch", "update");
  }

  @Test
  void watchedNamespacesGetARoleEachAndTheClusterRoleOnlyReadsClusterScopedResources() {
    Manifests m = Manifests.parse(Helm.renderScenario("watch-namespaces.yaml"));

    assertThat(m.ofKind("ClusterRole")).extracting(Manifests::name).containsExactlyInAnyOrder("gangway-cluster", "gangway-node-health-reporter");
    assertThat(permissions(m.one("ClusterRole", "gangway-cluster"))).isEqualTo(new TreeMap<>(CLUSTER_READS));
    assertBoundToOperator(m.one("ClusterRoleBinding", "gangway-cluster"), "ClusterRole", "gangway-cluster");

    List<Map<String, Object>> roles = m.ofKind("Role").stream().filter(r -> name(r).equals("gangway")).toList();
    assertThat(roles).extracting(Manifests::namespace).containsExactlyInAnyOrder("team-a", "team-b");
    for (Map<String, Object> role : roles) {
      assertThat(permissions(role)).as("Role in %s", namespace(role)).isEqualTo(new TreeMap<>(NAMESPACED));
    }
    List<Map<String, Object>> bindings = m.ofKind("RoleBinding").stream().filter(r -> name(r).equals("gangway")).toList();
    assertThat(bindings).extracting(Manifests::namespace).containsExactlyInAnyOrder("team-a", "team-b");
    bindings.forEach(b -> assertBoundToOperator(b, "Role", "gangway"));
    assertLeaderElectionRole(m);

    Map<String, String> env = Manifests.env(Manifests.operatorContainer(m.one("Deployment", "gangway")));
    assertThat(env).contains(entry("QUARKUS_OPERATOR_SDK_NAMESPACES", "team-a,team-b"));
  }

  @Test
  void noRuleUsesWildcardsOrTouchesSecrets() {
    for (String values : new String[] {null, "watch-namespaces.yaml", "taint-nodes.yaml"}) {
      Manifests m = Manifests.parse(Helm.renderScenario(values));
      for (String kind : List.of("ClusterRole", "Role")) {
        for (Map<String, Object> role : m.ofKind(kind)) {
          assertThat(permissions(role)).as("%s %s", kind, name(role))
              .doesNotContainKeys("/secrets", "/*", "*/*")
              .allSatisfy((resource, verbs) -> assertThat(verbs).doesNotContain("*", "escalate", "bind", "impersonate"));
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

  private static void assertLeaderElectionRole(Manifests m) {
    Map<String, Object> role = m.one("Role", "gangway-leader-election");
    assertThat(namespace(role)).isEqualTo(Helm.NAMESPACE);
    assertThat(permissions(role)).containsExactly(entry("coordination.k8s.io/leases", Set.of("get", "create", "update", "patch")));
    Map<String, Object> binding = m.one("RoleBinding", "gangway-leader-election");
    assertThat(namespace(binding)).isEqualTo(Helm.NAMESPACE);
    assertBoundToOperator(binding, "Role", "gangway-leader-election");
    // No other object grants leases anywhere.
    for (String kind : List.of("ClusterRole", "Role")) {
      m.ofKind(kind).stream().filter(r -> r != role)
          .forEach(r -> assertThat(permissions(r)).doesNotContainKey("coordination.k8s.io/leases"));
    }
  }

  private static void assertBoundToOperator(Map<String, Object> binding, String roleKind, String roleName) {
    Map<String, Object> roleRef = Manifests.map(binding, "roleRef");
    assertThat(roleRef).containsEntry("kind", roleKind).containsEntry("name", roleName)
        .containsEntry("apiGroup", "rbac.authorization.k8s.io");
    assertThat(Manifests.maps(binding.get("subjects"))).singleElement().satisfies(s -> assertThat(s)
        .containsEntry("kind", "ServiceAccount").containsEntry("name", SA).containsEntry("namespace", Helm.NAMESPACE));
  }

  private static Map<String, Set<String>> union(Map<String, Set<String>> a, Map<String, Set<String>> b) {
    Map<String, Set<String>> result = new TreeMap<>(a);
    b.forEach((resource, verbs) -> result.merge(resource, verbs, (x, y) -> {
      Set<String> all = new java.util.TreeSet<>(x);
      all.addAll(y);
      return all;
    }));
    return result;
  }
}
