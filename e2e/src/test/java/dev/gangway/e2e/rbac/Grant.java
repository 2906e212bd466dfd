package dev.gangway.e2e.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One verb on one resource that a role bound to the operator's ServiceAccount grants, expanded
 * from a rule of the rendered chart.
 *
 * @param group API group, "" for the core group
 * @param resource resource with its subresource, as RBAC writes it: {@code pods}, {@code pods/log}
 * @param namespace where the grant holds; null for every namespace (and for cluster-scoped resources)
 * @param name the one object a {@code resourceNames} rule pins it to; null for any
 */
public record Grant(String group, String resource, String verb, String namespace, String name) {

  /** Whether this grant is what allowed the request (or would have). */
  public boolean covers(AuditedRequest r) {
    return group.equals(r.group()) && resource.equals(r.resource()) && verb.equals(r.verb())
        && (namespace == null || namespace.equals(r.namespace())) && (name == null || name.equals(r.name()));
  }

  /** "verb group/resource", the key of the allow-list: namespaces and names are left out. */
  public String key() {
    return verb + " " + (group.isEmpty() ? "" : group + "/") + resource;
  }

  @Override
  public String toString() {
    return key() + (name == null ? "" : " named " + name) + (namespace == null ? " (every namespace)" : " in " + namespace);
  }

  /**
   * What the rendered objects (a kubectl {@code List} of the chart's manifests) grant the
   * ServiceAccount {@code namespace/serviceAccount}: every rule of every Role and ClusterRole a
   * binding of it refers to, one {@link Grant} per group, resource, verb and resource name.
   */
  public static List<Grant> of(JsonNode list, String namespace, String serviceAccount) {
    Map<String, JsonNode> roles = new HashMap<>();
    for (JsonNode o : list.path("items")) {
      String kind = o.path("kind").asText();
      if (kind.equals("ClusterRole")) {
        roles.put("ClusterRole/" + o.path("metadata").path("name").asText(), o);
      } else if (kind.equals("Role")) {
        roles.put("Role/" + o.path("metadata").path("namespace").asText() + "/" + o.path("metadata").path("name").asText(), o);
      }
    }
    List<Grant> grants = new ArrayList<>();
    for (JsonNode binding : list.path("items")) {
      String kind = binding.path("kind").asText();
      if (!kind.equals("ClusterRoleBinding") && !kind.equals("RoleBinding") || !binds(binding, namespace, serviceAccount)) {
        continue;
      }
      String bindingNamespace = kind.equals("RoleBinding") ? binding.path("metadata").path("namespace").asText() : null;
      JsonNode ref = binding.path("roleRef");
      String roleKey = ref.path("kind").asText().equals("ClusterRole") ? "ClusterRole/" + ref.path("name").asText()
          : "Role/" + bindingNamespace + "/" + ref.path("name").asText();
      JsonNode role = roles.get(roleKey);
      if (role == null) {
        throw new IllegalArgumentException(binding.path("metadata").path("name").asText() + " refers to " + roleKey
            + ", which the chart does not render");
      }
      for (JsonNode rule : role.path("rules")) {
        List<String> names = new ArrayList<>();
        rule.path("resourceNames").forEach(n -> names.add(n.asText()));
        if (names.isEmpty()) {
          names.add(null);
        }
        for (JsonNode group : rule.path("apiGroups")) {
          for (JsonNode resource : rule.path("resources")) {
            for (JsonNode verb : rule.path("verbs")) {
              for (String name : names) {
                grants.add(new Grant(group.asText(), resource.asText(), verb.asText(), bindingNamespace, name));
              }
            }
          }
        }
      }
    }
    return grants;
  }

  private static boolean binds(JsonNode binding, String namespace, String serviceAccount) {
    for (JsonNode s : binding.path("subjects")) {
      if (s.path("kind").asText().equals("ServiceAccount") && s.path("name").asText().equals(serviceAccount)
          && s.path("namespace").asText().equals(namespace)) {
        return true;
      }
    }
    return false;
  }
}
