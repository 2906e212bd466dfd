package dev.gangway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads kubectl's JSON the way a test wants it: a job's phase, the pods of a job, a condition. */
public final class Kube {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ClusterUnderTest cluster;
  private final String namespace;

  public Kube(ClusterUnderTest cluster, String namespace) {
    this.cluster = cluster;
    this.namespace = namespace;
  }

  /** A new namespace with a random name: each test starts from nothing of another's. */
  public static Kube inFreshNamespace(ClusterUnderTest cluster, String prefix) {
    String ns = prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    cluster.kubectlOk("create", "namespace", ns);
    return new Kube(cluster, ns);
  }

  /** Deletes the namespace and waits until it is gone, so its pods no longer hold GPUs for the next test. */
  public void deleteNamespace(java.time.Duration timeout) {
    cluster.kubectlOk("delete", "namespace", namespace, "--wait=false");
    org.awaitility.Awaitility.await("namespace " + namespace + " gone").atMost(timeout)
        .until(() -> cluster.kubectl("get", "namespace", namespace).exitCode() != 0);
  }

  public String namespace() {
    return namespace;
  }

  public JsonNode get(String... resource) {
    List<String> args = new ArrayList<>(List.of("get", "-n", namespace, "-o", "json"));
    args.addAll(List.of(resource));
    return parse(cluster.kubectlOk(args.toArray(String[]::new)));
  }

  public String phase(String job) {
    Command.Result r = cluster.kubectl("get", "tj", job, "-n", namespace, "-o", "jsonpath={.status.phase}");
    return r.exitCode() == 0 ? r.stdout().strip() : "<" + r.stderr().strip() + ">";
  }

  /** The job's conditions and its pods' nodes, for assertion messages. */
  public String describe(String job) {
    return cluster.kubectl("get", "tj", job, "-n", namespace, "-o", "jsonpath={.status.conditions}").stdout()
        + "\n" + cluster.kubectl("get", "pods", "-n", namespace, "-o", "wide").stdout()
        + "\n" + cluster.kubectl("get", "pods", "-A", "-o", "wide").stdout();
  }

  /**
   * Applies a ResourceQuota with the given {@code spec.hard} (a flow map, e.g. {@code pods: "0"}) and waits until the
   * quota controller has counted it: until then the API server admits what the quota would refuse.
   */
  public void applyResourceQuota(String name, String hard, java.time.Duration timeout) {
    cluster.kubectlWithInput("""
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: %s}
        spec:
          hard: {%s}
        """.formatted(name, hard), "apply", "-n", namespace, "-f", "-").assertOk();
    org.awaitility.Awaitility.await("quota " + name + " counted").atMost(timeout)
        .until(() -> !cluster.kubectl("get", "resourcequota", name, "-n", namespace, "-o", "jsonpath={.status.hard}").stdout().isBlank());
  }

  public JsonNode condition(String job, String type) {
    for (JsonNode c : get("tj", job).path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return JSON.nullNode();
  }

  public List<JsonNode> pods(String job) {
    return podsSelected("gangway.dev/job-name=" + job);
  }

  /** The job's rank pods of one attempt. */
  public List<JsonNode> pods(String job, int attempt) {
    return podsSelected("gangway.dev/job-name=" + job + ",gangway.dev/attempt=" + attempt);
  }

  private List<JsonNode> podsSelected(String selector) {
    List<JsonNode> pods = new ArrayList<>();
    get("pods", "-l", selector).path("items").forEach(pods::add);
    return pods;
  }

  public JsonNode node(String name) {
    return parse(cluster.kubectlOk("get", "node", name, "-o", "json"));
  }

  public String apply(String manifest) {
    return cluster.kubectlWithInput(manifest, "apply", "-n", namespace, "-f", "-").assertOk().stdout();
  }

  public Command.Result tryApply(String manifest) {
    return cluster.kubectlWithInput(manifest, "apply", "-n", namespace, "-f", "-");
  }

  public String kubectl(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-n", namespace));
    return cluster.kubectlOk(all.toArray(String[]::new));
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
