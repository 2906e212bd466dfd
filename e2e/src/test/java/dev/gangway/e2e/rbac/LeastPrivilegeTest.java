package dev.gangway.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The comparison of rendered grants with audited requests, on hand-made roles and audit lines. */
class LeastPrivilegeTest {
  private static final String SA = "system:serviceaccount:sys:op";

  private static final String RENDERED = """
      {"kind": "List", "items": [
        {"kind": "ClusterRole", "metadata": {"name": "op"}, "rules": [
          {"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "create", "update"]},
          {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]},
        {"kind": "ClusterRoleBinding", "metadata": {"name": "op"}, "roleRef": {"kind": "ClusterRole", "name": "op"},
         "subjects": [{"kind": "ServiceAccount", "name": "op", "namespace": "sys"}]},
        {"kind": "Role", "metadata": {"name": "lease", "namespace": "sys"}, "rules": [
          {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": ["op-leader"], "verbs": ["get"]}]},
        {"kind": "RoleBinding", "metadata": {"name": "lease", "namespace": "sys"}, "roleRef": {"kind": "Role", "name": "lease"},
         "subjects": [{"kind": "ServiceAccount", "name": "op", "namespace": "sys"}]},
        {"kind": "ClusterRole", "metadata": {"name": "agent"}, "rules": [
          {"apiGroups": [""], "resources": ["nodes"], "verbs": ["delete"]}]},
        {"kind": "ClusterRoleBinding", "metadata": {"name": "agent"}, "roleRef": {"kind": "ClusterRole", "name": "agent"},
         "subjects": [{"kind": "ServiceAccount", "name": "agent", "namespace": "sys"}]}
      ]}""";

  @Test
  void grantsAreThoseOfTheRolesBoundToTheServiceAccountOnly() throws Exception {
    List<Grant> grants = Grant.of(json(RENDERED), "sys", "op");
    assertThat(grants).containsExactlyInAnyOrder(
        new Grant("", "pods", "list", null, null), new Grant("", "pods", "create", null, null), new Grant("", "pods", "update", null, null),
        new Grant("", "pods/log", "get", null, null), new Grant("coordination.k8s.io", "leases", "get", "sys", "op-leader"));
  }

  @Test
  void aGrantNoRequestUsedIsAnOverGrantUnlessAllowedWithAReason() throws Exception {
    List<AuditedRequest> requests = AuditedRequest.of(List.of(
        event(SA, "list", "", "pods", null, null, null, 200),
        event(SA, "create", "", "pods", null, "team-a", "p-0", 201),
        // The pinned Lease, in its namespace: used.
        event(SA, "get", "coordination.k8s.io", "leases", null, "sys", "op-leader", 200),
        // Another identity's, or an admin's impersonating the operator (kubectl auth can-i --as), uses nothing.
        event("admin", "update", "", "pods", null, "team-a", "p-0", 200),
        impersonated(event("admin", "update", "", "pods", null, "team-a", "p-0", 200))), SA);

    LeastPrivilege judged = new LeastPrivilege(Grant.of(json(RENDERED), "sys", "op"), requests, Map.of("get pods/log", "only when a rank fails"));

    assertThat(judged.overGrants()).extracting(Grant::key).containsExactly("update pods");
    assertThat(judged.staleAllowances()).isEmpty();
    assertThat(judged.refused(r -> false)).isEmpty();
  }

  @Test
  void aLeaseOfAnotherNameOrNamespaceIsNotCoveredByAPinnedGrant() throws Exception {
    List<AuditedRequest> requests = AuditedRequest.of(List.of(
        event(SA, "get", "coordination.k8s.io", "leases", null, "sys", "someone-else", 200),
        event(SA, "get", "coordination.k8s.io", "leases", null, "team-a", "op-leader", 200)), SA);
    LeastPrivilege judged = new LeastPrivilege(Grant.of(json(RENDERED), "sys", "op"), requests, Map.of());
    assertThat(judged.overGrants()).extracting(Grant::key).contains("get coordination.k8s.io/leases");
  }

  @Test
  void aRefusedRequestIsReportedUnlessATestProvokedIt() throws Exception {
    List<AuditedRequest> requests = AuditedRequest.of(List.of(
        event(SA, "get", "", "secrets", null, "team-a", "s", 403),
        event(SA, "create", "", "pods", null, "denied-ns", "p-0", 403),
        event(SA, "get", "", "pods", "log", "team-a", "p-0", 200)), SA);
    LeastPrivilege judged = new LeastPrivilege(Grant.of(json(RENDERED), "sys", "op"), requests, Map.of("get pods/log", "only when a rank fails"));

    assertThat(judged.refused(r -> "denied-ns".equals(r.namespace()))).extracting(AuditedRequest::resource).containsExactly("secrets");
    // A refused create is no use of the create grant.
    assertThat(judged.overGrants()).extracting(Grant::key).contains("create pods");
    // pods/log was used after all: its allowance is stale.
    assertThat(judged.staleAllowances()).containsExactly("get pods/log");
    assertThat(judged.used(ns -> ns.startsWith("team-") ? "<ns>" : ns))
        .contains("get secrets in <ns> REFUSED", "get pods/log in <ns>");
  }

  @Test
  void aForbiddenAnswerFromAdmissionIsNoRbacRefusal() throws Exception {
    String quota = event(SA, "create", "", "pods", null, "team-a", "p-1", 201).replace("201", "403");
    List<AuditedRequest> requests = AuditedRequest.of(List.of(quota), SA);
    assertThat(requests).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.refused()).isFalse();
    });
    assertThat(new LeastPrivilege(Grant.of(json(RENDERED), "sys", "op"), requests, Map.of()).refused(r -> false)).isEmpty();
  }

  private static String event(String user, String verb, String group, String resource, String subresource, String namespace, String name,
                              int code) {
    var mapper = new ObjectMapper();
    var e = mapper.createObjectNode().put("stage", "ResponseComplete").put("verb", verb);
    e.putObject("user").put("username", user);
    var ref = e.putObject("objectRef").put("resource", resource).put("apiGroup", group);
    if (subresource != null) {
      ref.put("subresource", subresource);
    }
    if (namespace != null) {
      ref.put("namespace", namespace);
    }
    if (name != null) {
      ref.put("name", name);
    }
    e.putObject("responseStatus").put("code", code);
    if (code == 403) {
      e.putObject("annotations").put("authorization.k8s.io/decision", "forbid");
    }
    return e.toString();
  }

  private static String impersonated(String event) throws Exception {
    var e = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(event);
    e.putObject("impersonatedUser").put("username", SA);
    return e.toString();
  }

  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }
}
