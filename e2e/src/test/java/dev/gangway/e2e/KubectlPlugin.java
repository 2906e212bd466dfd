package dev.gangway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** `kubectl gangway`, run as a user runs it: kubectl finds the plugin (cli/bin/kubectl-gangway) on PATH. */
final class KubectlPlugin {
  private KubectlPlugin() {
  }

  /** `kubectl gangway ARGS -n NAMESPACE`. */
  static Command.Result run(ClusterUnderTest cluster, String namespace, String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "gangway"));
    command.addAll(List.of(args));
    command.addAll(List.of("-n", namespace));
    return Command.run(env(cluster), E2eEnvironment.REPO, Duration.ofMinutes(2), null, command);
  }

  /** The environment of an installed plugin: its directory and kubectl's on PATH, the cluster's kubeconfig. */
  static Map<String, String> env(ClusterUnderTest cluster) {
    Map<String, String> env = new HashMap<>(cluster.env());
    env.put("PATH", E2eEnvironment.REPO.resolve("cli/bin") + ":" + cluster.binary("kubectl").getParent() + ":" + System.getenv("PATH"));
    env.put("KUBECONFIG", cluster.kubeconfig().toString());
    return env;
  }
}
