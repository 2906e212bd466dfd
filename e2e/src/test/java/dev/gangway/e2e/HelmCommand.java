package dev.gangway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The cached helm binary against the test cluster, with its homes under the e2e work folder (not the user's). */
public final class HelmCommand {
  private HelmCommand() {
  }

  public static Command.Result run(ClusterUnderTest cluster, String... args) {
    Map<String, String> environment = new HashMap<>(cluster.env());
    var home = E2eEnvironment.WORK.resolve("helm");
    environment.put("HELM_CACHE_HOME", home.resolve("cache").toString());
    environment.put("HELM_CONFIG_HOME", home.resolve("config").toString());
    environment.put("HELM_DATA_HOME", home.resolve("data").toString());
    List<String> command = new ArrayList<>(List.of(cluster.binary("helm").toString()));
    command.addAll(List.of(args));
    return Command.run(environment, E2eEnvironment.REPO, Duration.ofMinutes(3), null, command);
  }
}
