package dev.gangway.e2e.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of valid TrainingJob manifests, as a careless or hostile user might apply them: boundary and
 * overflowing numbers, values of the wrong type, unknown enum values, fields removed or added, hostile strings, pod
 * templates the API server or kube-scheduler would refuse. Each mutant is a JSON manifest for {@code kubectl apply}.
 * Pure: the same seed gives the same mutants.
 */
public final class ManifestMutator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Valid manifests the mutants start from: three frameworks, topology groups, failure rules, a TTL. */
  private static final List<String> VALID = List.of("""
      {"apiVersion":"gangway.dev/v1alpha1","kind":"TrainingJob","metadata":{"name":"NAME"},
       "spec":{"replicas":2,"gpusPerReplica":8,"framework":"pytorch","successPolicy":"AllRanks",
        "failurePolicy":{"maxRestarts":1,"backoff":{"initialSeconds":1,"maxSeconds":5}},
        "template":{"spec":{"containers":[{"name":"trainer","image":"busybox","resources":{"requests":{"cpu":"1","memory":"1Gi"}}}]}}}}""", """
      {"apiVersion":"gangway.dev/v1alpha1","kind":"TrainingJob","metadata":{"name":"NAME","labels":{"team":"fuzz"}},
       "spec":{"replicas":4,"gpusPerReplica":4,"framework":"jax","ttlSecondsAfterFinished":30,
        "topology":{"preferred":"rack","groupSize":2,"groupLevel":"nvlink-domain"},
        "template":{"metadata":{"labels":{"app":"jax"}},"spec":{"containers":[{"name":"main","image":"busybox"}],
         "nodeSelector":{"nvidia.com/gpu.product":"NVIDIA-H100-80GB-HBM3"},
         "tolerations":[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]}}}}""", """
      {"apiVersion":"gangway.dev/v1alpha1","kind":"TrainingJob","metadata":{"name":"NAME"},
       "spec":{"replicas":2,"gpusPerReplica":8,"framework":"mpi","successPolicy":"RankZero","suspend":false,
        "failurePolicy":{"maxRestarts":2,"maxInfrastructureRestarts":3,"excludeFailedNodes":true,"nodeExclusionSeconds":60,
         "rules":[{"action":"FailJob","onExitCodes":{"operator":"In","values":[3]}}]},
        "template":{"spec":{"containers":[{"name":"launcher","image":"busybox","command":["sh","-c","true"]}]}}}}""");

  /** Where numbers live in the manifests above (and where mutants may put them). */
  private static final List<String> NUMBER_FIELDS = List.of("spec.replicas", "spec.gpusPerReplica", "spec.ttlSecondsAfterFinished",
      "spec.topology.groupSize", "spec.failurePolicy.maxRestarts", "spec.failurePolicy.maxInfrastructureRestarts",
      "spec.failurePolicy.nodeExclusionSeconds", "spec.failurePolicy.checkpointWaitSeconds", "spec.failurePolicy.backoff.initialSeconds",
      "spec.failurePolicy.backoff.maxSeconds");
  private static final List<String> STRING_FIELDS = List.of("spec.framework", "spec.successPolicy", "spec.topology.required",
      "spec.topology.preferred", "spec.topology.groupLevel", "spec.topology.topologyName", "spec.checkpoint.mountPath",
      "spec.template.spec.containers.0.name", "spec.template.spec.containers.0.image", "spec.template.spec.serviceAccountName",
      "spec.template.spec.priorityClassName", "spec.template.spec.restartPolicy", "spec.template.spec.schedulerName",
      "spec.failurePolicy.rules.0.action");
  private static final long[] NUMBERS = {-1, 0, 1, 2, 3, 5, 16, 17, 129, 4096, 65_536, 1_000_000, Integer.MAX_VALUE, 2_147_483_648L,
      Long.MAX_VALUE};
  private static final String[] STRINGS = {"", "pytorch", "jax", "mpi", "generic", "deepspeed", "PYTORCH", "AllRanks", "RankZero",
      "FailJob", "Ignore", "rack", "nvlink-domain", "host", "block", "galaxy", "default", "no-such-topology", "../..", "/", "relative/path",
      "Never", "OnFailure", "Always", "UPPER_case", "x".repeat(300), "ünïcödé", "\u202eevil", "a\u0000b", "system-node-critical",
      "default-scheduler", "other-scheduler", "kube-system"};

  private final Random random;

  public ManifestMutator(long seed) {
    this.random = new Random(seed);
  }

  /** A mutant of one valid manifest, named {@code name}, and what was done to it. */
  public record Mutant(String name, String description, String json) {
  }

  public Mutant next(String name) {
    ObjectNode manifest = valid(random.nextInt(VALID.size()), name);
    List<String> done = new ArrayList<>();
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      done.add(mutate(manifest, name));
    }
    return new Mutant(name, String.join("; ", done), manifest.toString());
  }

  private static ObjectNode valid(int which, String name) {
    try {
      return (ObjectNode) JSON.readTree(VALID.get(which).replace("NAME", name));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String mutate(ObjectNode manifest, String name) {
    switch (random.nextInt(12)) {
      case 0, 1, 2 -> {
        String field = pick(NUMBER_FIELDS);
        long value = NUMBERS[random.nextInt(NUMBERS.length)];
        set(manifest, field, NODES.numberNode(value));
        return field + "=" + value;
      }
      case 3, 4 -> {
        String field = pick(STRING_FIELDS);
        String value = STRINGS[random.nextInt(STRINGS.length)];
        set(manifest, field, NODES.textNode(value));
        return field + "=\"" + abbreviate(value) + "\"";
      }
      case 5 -> {
        String field = pick(allPaths(manifest, "", new ArrayList<>()));
        if (field.startsWith("apiVersion") || field.startsWith("kind") || field.equals("metadata.name")) {
          return "kept " + field;
        }
        remove(manifest, field);
        return "removed " + field;
      }
      case 6 -> {
        String field = pick(allPaths(manifest, "", new ArrayList<>()));
        JsonNode value = wrongType();
        set(manifest, field, value);
        return field + "=" + abbreviate(value.toString());
      }
      case 7 -> {
        String field = pick(List.of("spec", "spec.template.spec", "spec.failurePolicy", "spec.topology", "metadata"));
        set(manifest, field + ".unknownField" + random.nextInt(10), NODES.textNode("surprise"));
        return "unknown field under " + field;
      }
      case 8 -> {
        return template(manifest);
      }
      case 9 -> {
        String value = pick(List.of(name.toUpperCase(), name + "-" + "x".repeat(260), "-" + name, name + ".dotted", name + "_under"));
        set(manifest, "metadata.name", NODES.textNode(value));
        return "metadata.name=\"" + abbreviate(value) + "\"";
      }
      case 10 -> {
        set(manifest, "spec.suspend", NODES.booleanNode(random.nextBoolean()));
        return "spec.suspend=" + manifest.path("spec").path("suspend");
      }
      default -> {
        ArrayNode rules = NODES.arrayNode();
        ObjectNode rule = rules.addObject().put("action", pick(List.of("FailJob", "Ignore", "RestartFromCheckpoint", "Explode")));
        if (random.nextBoolean()) {
          rule.putObject("onExitCodes").put("operator", pick(List.of("In", "NotIn", "Between"))).putArray("values")
              .add(random.nextInt(300) - 10);
        } else {
          rule.putArray("onReasons").add(pick(List.of("OOMKilled", "Evicted", "")));
        }
        set(manifest, "spec.failurePolicy.rules", rules);
        return "spec.failurePolicy.rules=" + abbreviate(rules.toString());
      }
    }
  }

  /** Pod templates the CRD schema lets through but the API server, kube-scheduler or Gangway's validation may not. */
  private String template(ObjectNode manifest) {
    // An earlier mutation may have removed the container or given it another type (found by seed 20261207).
    if (!(manifest.path("spec").path("template").path("spec").path("containers").path(0) instanceof ObjectNode container)) {
      return "no container to change";
    }
    switch (random.nextInt(8)) {
      case 0 -> {
        container.putObject("resources").putObject("limits").put("nvidia.com/gpu", pick(List.of("1", "abc", "-1", "1000")));
        return "container GPU limit " + container.path("resources");
      }
      case 1 -> {
        container.putObject("resources").putObject("requests").put("cpu", pick(List.of("100000", "-1", "1e9", "lots")));
        return "container CPU request " + container.path("resources");
      }
      case 2 -> {
        ArrayNode containers = (ArrayNode) manifest.path("spec").path("template").path("spec").path("containers");
        containers.add(container.deepCopy());
        return "duplicate container name " + container.path("name");
      }
      case 3 -> {
        ((ObjectNode) manifest.path("spec").path("template").path("spec")).putArray("containers");
        return "no containers";
      }
      case 4 -> {
        ((ObjectNode) manifest.path("spec").path("template").path("spec")).putObject("nodeSelector").put("example.com/no-such-label", "x");
        return "nodeSelector no node matches";
      }
      case 5 -> {
        container.putArray("ports").addObject().put("containerPort", pick(List.of(0, 70000, 29500, -5)));
        return "container port " + container.path("ports");
      }
      case 6 -> {
        container.putArray("env").addObject().put("name", pick(List.of("RANK", "WORLD_SIZE", "MASTER_ADDR", "1BAD", "")))
            .put("value", "user-set");
        return "container env " + container.path("env");
      }
      default -> {
        ((ObjectNode) manifest.path("spec").path("template").path("spec")).putArray("volumes").addObject().put("name", "data")
            .putObject("persistentVolumeClaim").put("claimName", "no-such-claim");
        return "volume of a claim that does not exist";
      }
    }
  }

  private JsonNode wrongType() {
    return switch (random.nextInt(6)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(true);
      case 2 -> NODES.textNode("12");
      case 3 -> NODES.numberNode(1.5);
      case 4 -> NODES.arrayNode().add(1);
      default -> NODES.objectNode().put("nested", 1);
    };
  }

  private static List<String> allPaths(JsonNode node, String prefix, List<String> paths) {
    if (node.isObject()) {
      node.fieldNames().forEachRemaining(f -> {
        String path = prefix.isEmpty() ? f : prefix + "." + f;
        paths.add(path);
        allPaths(node.get(f), path, paths);
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String path = prefix + "." + i;
        paths.add(path);
        allPaths(node.get(i), path, paths);
      }
    }
    return paths;
  }

  /** Sets the value at a dotted path ("a.b.0.c"), creating objects on the way; an index past an array's end appends. */
  private static void set(ObjectNode root, String path, JsonNode value) {
    String[] parts = path.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = child(parent, parts[i]);
      if (child == null || !(child.isObject() || child.isArray())) {
        child = isIndex(parts[i + 1]) ? NODES.arrayNode() : NODES.objectNode();
        put(parent, parts[i], child);
      }
      parent = child;
    }
    put(parent, parts[parts.length - 1], value);
  }

  private static void remove(ObjectNode root, String path) {
    String[] parts = path.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < parts.length - 1 && parent != null; i++) {
      parent = child(parent, parts[i]);
    }
    String last = parts[parts.length - 1];
    if (parent instanceof ObjectNode object) {
      object.remove(last);
    } else if (parent instanceof ArrayNode array && isIndex(last) && Integer.parseInt(last) < array.size()) {
      array.remove(Integer.parseInt(last));
    }
  }

  private static JsonNode child(JsonNode parent, String part) {
    if (parent.isArray()) {
      return isIndex(part) ? parent.get(Integer.parseInt(part)) : null;
    }
    return parent.get(part);
  }

  private static void put(JsonNode parent, String part, JsonNode value) {
    if (parent instanceof ObjectNode object) {
      object.set(part, value);
    } else if (parent instanceof ArrayNode array && isIndex(part)) {
      int index = Integer.parseInt(part);
      if (index < array.size()) {
        array.set(index, value);
      } else {
        array.add(value);
      }
    }
  }

  private static boolean isIndex(String part) {
    return part.chars().allMatch(Character::isDigit) && !part.isEmpty();
  }

  private <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 37) + "...";
  }
}
