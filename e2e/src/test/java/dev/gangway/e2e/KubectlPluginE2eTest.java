package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * `kubectl gangway` as a user runs it: kubectl finds the plugin (cli/bin/kubectl-gangway) on PATH
 * and it reads the real control plane through the user's kubeconfig, while the packaged operator
 * places and runs the jobs.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class KubectlPluginE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ClusterUnderTest cluster;
  private Kube kube;

  private final E2eEnvironment env;

  KubectlPluginE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.clusterUnderTest();
  }

  @BeforeEach
  void namespaceAndTopology() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    cluster.kubectlOk("apply", "-f", cluster.topology().toString());
    kube = Kube.inFreshNamespace(cluster, "plugin");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void getDescribeTopAndWhyTellWhereRanksSitAndWhyAJobWaits() throws Exception {
    kube.apply(Manifests.trainingJob("nvl", 4, 8, "  topology:\n    required: nvlink-domain\n"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("nvl")).isEqualTo("Running"));
    // Needs 16 whole nodes while 4 are taken: it waits, first in the queue.
    kube.apply(Manifests.trainingJob("big", 16, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.condition("big", "Placed").path("status").asText()).isEqualTo("False"));

    String get = plugin("get").stdout();
    assertThat(lineOf(get, "nvl")).contains("Running").contains("4/4").contains("32");
    assertThat(lineOf(get, "big")).contains("Pending").contains("0/16").contains("128");
    JsonNode rows = JSON.readTree(plugin("get", "-o", "json").stdout());
    assertThat(rows).hasSize(2);
    assertThat(rows.findValuesAsText("name")).containsExactlyInAnyOrder("nvl", "big");
    // Names narrow the list, as with kubectl get; a name that does not exist is an error after the rows found.
    assertThat(plugin("get", "nvl").stdout()).contains("nvl").doesNotContain("big");
    Command.Result named = pluginRaw("get", "nvl", "nope");
    assertThat(named.exitCode()).isEqualTo(1);
    assertThat(lineOf(named.stdout(), "nvl")).contains("Running");
    assertThat(named.stderr()).contains("trainingjob " + kube.namespace() + "/nope not found");
    assertThat(pluginRaw("get", "-A", "nvl").stderr()).contains("cannot be named across all namespaces");

    String describe = plugin("describe", "nvl").stdout();
    // All four ranks in one NVLink domain, one rack, one block: the placement section names the domain.
    String clique = kube.node(kube.pods("nvl").get(0).path("spec").path("nodeName").asText()).path("metadata").path("labels")
        .path("nvidia.com/gpu.clique").asText();
    assertThat(rowOf(describe, "nvlink-domain")).contains(clique + ": 0-3");
    assertThat(describe).contains("Restarts:").contains("Last checkpoint: none reported");
    JsonNode report = JSON.readTree(plugin("describe", "nvl", "-o", "json").stdout());
    assertThat(report.path("domains").path("nvlink-domain").path(clique)).hasSize(4);

    String why = plugin("why", "big").stdout();
    assertThat(why).contains("position 1 of 1").contains("Why:");
    assertThat(plugin("why", "nvl").stdout()).contains("Running");

    JsonNode top = JSON.readTree(plugin("top", "-o", "json").stdout());
    JsonNode all = find(top, "cluster", "all");
    assertThat(all.path("gpus").asInt()).isEqualTo(128);
    // The waiting head holds nothing yet; the running gang uses 32 GPUs, all in one NVLink domain.
    assertThat(all.path("used").asInt()).isEqualTo(32);
    assertThat(find(top, "nvlink-domain", clique).path("used").asInt()).isEqualTo(32);
    assertThat(plugin("top").stdout()).contains("nvlink-domain").contains("WHOLE NODES FREE");

    Command.Result missing = pluginRaw("describe", "nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr()).contains("trainingjob " + kube.namespace() + "/nope not found");
  }

  @Test
  void suspendAndResumeSteerTheJob() {
    kube.apply(Manifests.trainingJob("pausable", 2, 8, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("pausable")).isEqualTo("Running"));
    assertThat(plugin("suspend", "pausable").stdout()).contains("pausable suspended");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(kube.phase("pausable")).isEqualTo("Suspended");
      assertThat(kube.pods("pausable")).isEmpty();
    });
    assertThat(plugin("why", "pausable").stdout()).contains("Suspended").contains("kubectl gangway resume pausable");
    plugin("resume", "pausable");
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("pausable")).isEqualTo("Running"));
  }

  @Test
  void checkpointReportsThroughTheAuthenticatedIntakeAsARankWould() {
    kube.apply(Manifests.trainingJob("ckpt", 2, 1, ""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("ckpt")).isEqualTo("Running"));
    String intake = env.operator().url();
    assertThat(plugin("checkpoint", "ckpt", "--step", "1200", "--path", "/ckpt/step-1200", "--intake", intake).stdout())
        .contains("checkpoint step 1200 stored").contains("ckpt-r0-a1");
    JsonNode last = kube.get("tj", "ckpt").path("status").path("lastCheckpoint");
    assertThat(last.path("step").asLong()).isEqualTo(1200);
    assertThat(last.path("path").asText()).isEqualTo("/ckpt/step-1200");

    // Not beyond the last step: refused with the intake's reason, nothing changed.
    Command.Result stale = pluginRaw("checkpoint", "ckpt", "--step", "600", "--path", "/ckpt/step-600", "--intake", intake);
    assertThat(stale.exitCode()).isEqualTo(1);
    assertThat(stale.stderr()).contains("HTTP 409");
    assertThat(kube.get("tj", "ckpt").path("status").path("lastCheckpoint").path("step").asLong()).isEqualTo(1200);

    Command.Result nowhere = pluginRaw("checkpoint", "ckpt", "--step", "1800", "--path", "/x", "--intake", "http://127.0.0.1:9");
    assertThat(nowhere.exitCode()).isEqualTo(1);
    assertThat(nowhere.stderr()).contains("cannot reach the intake at http://127.0.0.1:9");
  }

  /**
   * A user's very first run has no class-data archive yet: the launcher must still start (a fresh machine once got
   * exit 2 and no output from every run, its archive pruning failing on the empty cache), make the archive, and on a
   * later build keep only the newest three archives besides the new one.
   */
  @Test
  void theLauncherStartsOnAnEmptyCacheAndKeepsTheNewestArchives() throws Exception {
    kube.apply(Manifests.trainingJob("fresh", 1, 1, ""));
    Path home = Files.createTempDirectory(E2eEnvironment.WORK, "xdg-cache");
    Path cache = home.resolve("gangway");
    Map<String, String> env = pluginEnv();
    env.put("XDG_CACHE_HOME", home.toString());
    List<String> get = List.of("kubectl", "gangway", "get", "-n", kube.namespace());
    assertThat(Command.run(env, E2eEnvironment.REPO, Duration.ofMinutes(2), null, get).assertOk().stdout()).contains("fresh");
    try (var files = Files.list(cache)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList()).as("the first run's archive")
          .singleElement().satisfies(name -> assertThat(name).startsWith("kubectl-gangway-").endsWith(".jsa"));
    }

    // Archives of five older builds, and none of this one: the next run prunes to the newest three, then adds its own.
    try (var files = Files.list(cache)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    for (int i = 1; i <= 5; i++) {
      Path old = Files.createFile(cache.resolve("kubectl-gangway-old" + i + ".jsa"));
      Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - (10 - i) * 60_000L));
    }
    assertThat(Command.run(env, E2eEnvironment.REPO, Duration.ofMinutes(2), null, get).assertOk().stdout()).contains("fresh");
    try (var files = Files.list(cache)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .hasSize(4).contains("kubectl-gangway-old3.jsa", "kubectl-gangway-old4.jsa", "kubectl-gangway-old5.jsa");
    }
  }

  /**
   * Start-up as a person waits for it, printed beside `kubectl get tj` and the same jar started
   * without the launcher's flags and class-data archive (numbers, not limits: they depend on the machine).
   */
  @Test
  void startUpIsMeasuredBesideKubectlAndAPlainJvm() {
    kube.apply(Manifests.trainingJob("timed", 1, 1, ""));
    pluginRaw("get"); // makes the launcher's class-data archive, as a user's first run does
    Map<String, List<Long>> millis = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      millis.computeIfAbsent("kubectl gangway get", k -> new ArrayList<>()).add(timed(() -> assertThat(plugin("get").stdout()).contains("timed")));
      millis.computeIfAbsent("java -jar kubectl-gangway.jar get (no launcher flags)", k -> new ArrayList<>()).add(timed(() ->
          assertThat(Command.run(pluginEnv(), E2eEnvironment.REPO, Duration.ofMinutes(2), null, List.of("java", "-jar",
              E2eEnvironment.REPO.resolve("cli/target/kubectl-gangway.jar").toString(), "get", "-n", kube.namespace())).assertOk().stdout())
              .contains("timed")));
      millis.computeIfAbsent("kubectl get tj", k -> new ArrayList<>()).add(timed(() ->
          assertThat(kube.kubectl("get", "tj")).contains("timed")));
    }
    StringBuilder report = new StringBuilder("kubectl gangway start-up, median of 5 (ms):\n");
    millis.forEach((what, runs) -> report.append(String.format("  %-55s %6d%n", what, runs.stream().sorted().toList().get(2))));
    System.out.println(report);
  }

  private static long timed(Runnable run) {
    long start = System.nanoTime();
    run.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  private Command.Result plugin(String... args) {
    return pluginRaw(args).assertOk();
  }

  /** `kubectl gangway ARGS -n NAMESPACE`, with the plugin's directory on PATH as an installed plugin would be. */
  private Command.Result pluginRaw(String... args) {
    return KubectlPlugin.run(cluster, kube.namespace(), args);
  }

  private Map<String, String> pluginEnv() {
    return new HashMap<>(KubectlPlugin.env(cluster));
  }

  private static String lineOf(String table, String word) {
    return table.lines().filter(l -> l.matches(".*\\b" + word + "\\b.*")).findFirst()
        .orElseThrow(() -> new AssertionError("no line with " + word + " in\n" + table));
  }

  /** The table row whose first cell is {@code first}. */
  private static String rowOf(String text, String first) {
    return text.lines().filter(l -> l.strip().startsWith(first + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + first + " in\n" + text));
  }

  private static JsonNode find(JsonNode rows, String level, String domain) {
    for (JsonNode r : rows) {
      if (r.path("level").asText().equals(level) && r.path("domain").asText().equals(domain)) {
        return r;
      }
    }
    throw new AssertionError("no " + level + " " + domain + " in " + rows);
  }
}
