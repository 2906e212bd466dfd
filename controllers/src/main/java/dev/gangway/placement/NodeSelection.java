package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
import java.util.Map;

/** kube-scheduler's NodeAffinity filter: the template's nodeSelector and required node affinity. */
public final class NodeSelection {

  private NodeSelection() {
  }

  public static boolean matches(String nodeName, Map<String, String> labels, Map<String, String> nodeSelector,
      List<NodeSelectorTerm> requiredTerms) {
    for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) return false;
    }
    if (requiredTerms == null) return true;
    // Terms are ORed; an empty list of terms matches no node, as in the API.
    for (NodeSelectorTerm term : requiredTerms) {
      if (matches(nodeName, labels, term)) return true;
    }
    return false;
  }

  static boolean matches(String nodeName, Map<String, String> labels, NodeSelectorTerm term) {
    List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
    // A term with no requirements selects nothing.
    if (exprs.isEmpty() && fields.isEmpty()) return false;
    for (NodeSelectorRequirement r : exprs) {
      if (!matches(r, labels.get(r.getKey()), labels.containsKey(r.getKey()))) return false;
    }
    for (NodeSelectorRequirement r : fields) {
      // metadata.name is the only field the API allows here.
      if (!"metadata.name".equals(r.getKey()) || !matches(r, nodeName, true)) return false;
    }
    return true;
  }

  static boolean matches(NodeSelectorRequirement r, String value, boolean present) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    switch (r.getOperator()) {
      case "In":
        return present && values.contains(value);
      case "NotIn":
        return !present || !values.contains(value);
      case "Exists":
        return present;
      case "DoesNotExist":
        return !present;
      case "Gt":
      case "Lt":
        if (!present || values.size() != 1) return false;
        try {
          long have = Long.parseLong(value);
          long bound = Long.parseLong(values.get(0));
          return "Gt".equals(r.getOperator()) ? have > bound : have < bound;
        } catch (NumberFormatException e) {
          return false;
        }
      default:
        return false;
    }
  }
}
