package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an installed release's operator pod would run with, for tests that run the packaged operator as a process in its
 * place (no kubelet or image here): the ServiceAccount's credentials and the Deployment's environment.
 */
final class ChartDeployment {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChartDeployment() {
  }

  /**
   * The container's environment as the chart rendered it into the Deployment. {@code fieldRef: metadata.namespace} is the
   * release namespace, {@code status.podIP} loopback; the HTTP host is overridden by OperatorProcess's -D property (loopback only here).
   */
  static Map<String, String> environment(LocalCluster cluster, String namespace, String deployment) {
    JsonNode object;
    try {
      object = JSON.readTree(cluster.kubectlOk("get", "deployment", deployment, "-n", namespace, "-o", "json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> environment = new LinkedHashMap<>();
    for (JsonNode e : object.path("spec").path("template").path("spec").path("containers").get(0).path("env")) {
      String name = e.path("name").asText();
      if (e.has("value")) {
        environment.put(name, e.path("value").asText());
      } else if ("metadata.namespace".equals(e.path("valueFrom").path("fieldRef").path("fieldPath").asText())) {
        environment.put(name, namespace);
      } else if ("status.podIP".equals(e.path("valueFrom").path("fieldRef").path("fieldPath").asText())) {
        environment.put(name, "127.0.0.1");
      } else {
        throw new AssertionError("the test cannot provide env " + e);
      }
    }
    return environment;
  }

  /** A kubeconfig for the release's ServiceAccount: the admin kubeconfig's server and CA, a bound token; checked with `kubectl auth whoami`. */
  static Path serviceAccountKubeconfig(LocalCluster cluster, String namespace, String serviceAccount) {
    String server = cluster.kubectlOk("config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").strip();
    String ca = cluster.kubectlOk("config", "view", "--raw", "--minify", "-o",
        "jsonpath={.clusters[0].cluster.certificate-authority-data}").strip();
    String token = cluster.kubectlOk("create", "token", serviceAccount, "-n", namespace, "--duration=2h").strip();
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: e2e
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: %s
          context: {cluster: e2e, user: %s, namespace: %s}
        current-context: %s
        """.formatted(server, ca, serviceAccount, token, serviceAccount, serviceAccount, namespace, serviceAccount);
    Path file = cluster.dir().resolve(namespace + "-" + serviceAccount + ".kubeconfig");
    try {
      Files.writeString(file, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Command.Result whoami = Command.run(Map.of("KUBECONFIG", file.toString()), E2eEnvironment.REPO, Duration.ofMinutes(1), null,
        List.of(cluster.binary("kubectl").toString(), "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")).assertOk();
    assertThat(whoami.stdout().strip()).isEqualTo("system:serviceaccount:" + namespace + ":" + serviceAccount);
    return file;
  }
}
