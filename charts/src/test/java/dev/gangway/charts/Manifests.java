package dev.gangway.charts;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Rendered manifests as plain maps, with the few look-ups the tests need. */
final class Manifests {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final List<Map<String, Object>> objects;

  private Manifests(List<Map<String, Object>> objects) {
    this.objects = objects;
  }

  static Manifests parse(String multiDocYaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> it = YAML.readerFor(new TypeReference<Map<String, Object>>() {})
        .readValues(multiDocYaml)) {
      while (it.hasNext()) {
        Map<String, Object> doc = it.next();
        if (doc != null && !doc.isEmpty()) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered chart is not valid YAML", e);
    }
    return new Manifests(objects);
  }

  List<Map<String, Object>> all() {
    return objects;
  }

  List<Map<String, Object>> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  Map<String, Object> one(String kind, String name) {
    List<Map<String, Object>> found = objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected exactly one " + kind + " named " + name + ", found " + found.size()
          + " among " + objects.stream().map(o -> o.get("kind") + "/" + name(o)).toList());
    }
    return found.get(0);
  }

  static String name(Map<String, Object> object) {
    return (String) map(object, "metadata").get("name");
  }

  static String namespace(Map<String, Object> object) {
    return (String) map(object, "metadata").get("namespace");
  }

  /**
   * A (Cluster)Role's rules flattened to "group/resource" -> verbs, e.g. "/pods" -> [create, delete, ...],
   * "gangway.dev/trainingjobs/status" -> [get, patch, update]. Fails on resourceNames or nonResourceURLs,
   * which the chart does not use.
   */
  static Map<String, Set<String>> permissions(Map<String, Object> role) {
    Map<String, Set<String>> result = new TreeMap<>();
    for (Map<String, Object> rule : maps(role.get("rules"))) {
      // A rule pinned by resourceNames grants no more than the same rule unpinned: counted as such.
      if (rule.containsKey("nonResourceURLs")) {
        throw new AssertionError("unexpected rule shape: " + rule);
      }
      for (String group : strings(rule.get("apiGroups"))) {
        for (String resource : strings(rule.get("resources"))) {
          result.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(strings(rule.get("verbs")));
        }
      }
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> object, String... path) {
    Map<String, Object> current = object;
    for (String key : path) {
      Object next = current.get(key);
      if (!(next instanceof Map)) {
        throw new AssertionError("no object at " + String.join(".", path) + " (missing " + key + ")");
      }
      current = (Map<String, Object>) next;
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object list) {
    return list == null ? List.of() : (List<Map<String, Object>>) list;
  }

  @SuppressWarnings("unchecked")
  static List<String> strings(Object list) {
    return list == null ? List.of() : (List<String>) list;
  }

  /** The operator container of the Deployment. */
  static Map<String, Object> operatorContainer(Map<String, Object> deployment) {
    return maps(map(deployment, "spec", "template", "spec").get("containers")).stream()
        .filter(c -> "operator".equals(c.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no container named operator"));
  }

  /** Literal env values of a container (valueFrom entries map to "<from>"). */
  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> var : maps(container.get("env"))) {
      env.put((String) var.get("name"), var.containsKey("value") ? String.valueOf(var.get("value")) : "<from>");
    }
    return env;
  }
}
