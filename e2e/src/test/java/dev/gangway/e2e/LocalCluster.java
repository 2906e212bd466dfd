package dev.gangway.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real control plane on 127.0.0.1 started by e2e/cluster/cluster.sh, the way a developer starts
 * one. Its logs and data stay under target/ so a failed run can be read afterwards.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path repo;
  private final String name;
  private final Path dir;
  private final Map<String, String> env = new HashMap<>();

  private LocalCluster(Path repo, String name, Path dir) {
    this.repo = repo;
    this.name = name;
    this.dir = dir;
  }

  /** Builds missing binaries, starts the cluster with the given node description and waits until it is ready. */
  public static LocalCluster start(Path repo, Path workDir, String nodes, int portBase) {
    return start(repo, workDir, nodes, portBase, List.of());
  }

  /** As above, with further options of {@code cluster.sh up} (e.g. {@code --audit-log}). */
  public static LocalCluster start(Path repo, Path workDir, String nodes, int portBase, List<String> upOptions) {
    String name = "e2e-" + ProcessHandle.current().pid();
    LocalCluster cluster = new LocalCluster(repo, name, workDir.resolve("cluster"));
    // GANGWAY_BIN_DIR, as for cluster.sh: binaries from elsewhere, and no build.
    String bin = System.getenv("GANGWAY_BIN_DIR") != null ? System.getenv("GANGWAY_BIN_DIR")
        : Command.run(Map.of(), repo, Duration.ofMinutes(90), null,
            List.of(repo.resolve("e2e/cluster/build-tools.sh").toString(), "--print-bin-dir")).assertOk().stdout().strip();
    // A run that was killed may have left its cluster behind; stop it by the pids it recorded.
    if (Files.isDirectory(cluster.dir)) {
      Command.run(Map.of(), repo, Duration.ofMinutes(2), null,
          List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "down", "--dir", cluster.dir.toString()));
    }
    List<String> up = new ArrayList<>(List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "up",
        "--name", name, "--dir", cluster.dir.toString(), "--port-base", Integer.toString(portBase),
        "--nodes", repo.resolve("e2e/clusters/" + nodes + ".yaml").toString()));
    up.addAll(upOptions);
    Command.run(Map.of(), repo, Duration.ofMinutes(5), null, up).assertOk();
    cluster.env.put("KUBECONFIG", cluster.dir.resolve("kubeconfig").toString());
    cluster.env.put("PATH", bin + ":" + System.getenv("PATH"));
    cluster.env.put("GANGWAY_BIN_DIR", bin);
    return cluster;
  }

  public Path dir() {
    return dir;
  }

  public Path kubeconfig() {
    return dir.resolve("kubeconfig");
  }

  /** A kubeconfig of its own user for each operator replica ("a", "b"), so the audit log tells them apart. */
  public Path operatorKubeconfig(String replica) {
    return dir.resolve("operator-" + replica + ".kubeconfig");
  }

  /** The apiserver's audit log; written only by a cluster started with {@code --audit-log}. */
  public Path auditLog() {
    return dir.resolve("logs/audit.log");
  }

  /** Stops and starts one component (kube-apiserver, kube-scheduler, …), as a crash and restart would. */
  public Command.Result restart(String component) {
    return Command.run(Map.of(), repo, Duration.ofMinutes(3), null,
        List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "restart", "--dir", dir.toString(), "--component", component));
  }

  /** Applies Gangway's CRDs (server-side: the TrainingJob CRD is large) and waits until they are established. */
  public void installCrds() {
    kubectlOk("apply", "--server-side", "--force-conflicts", "-f", repo.resolve("crds").toString());
    // `kubectl wait` fails outright while a new CRD has no status yet, so poll instead.
    for (String crd : List.of("trainingjobs.gangway.dev", "clustertopologies.gangway.dev")) {
      org.awaitility.Awaitility.await(crd + " established").atMost(Duration.ofSeconds(60))
          .until(() -> kubectl("get", "crd", crd, "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}")
              .stdout().strip().equals("True"));
    }
  }

  public Path topology() {
    return dir.resolve("topology.yaml");
  }

  public Path binary(String tool) {
    return Path.of(env.get("GANGWAY_BIN_DIR"), tool);
  }

  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  public Path logs() {
    return dir.resolve("logs");
  }

  /** kubectl against this cluster; the result is returned whatever the exit code. */
  public Command.Result kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  public Command.Result kubectlWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary("kubectl").toString());
    command.addAll(List.of(args));
    return Command.run(env, repo, Duration.ofMinutes(2), stdin, command);
  }

  /** kubectl that must succeed; returns its stdout. */
  public String kubectlOk(String... args) {
    return kubectl(args).assertOk().stdout();
  }

  @Override
  public void close() {
    // --keep: the logs (and etcd data) stay under target/ for whoever reads a failure.
    Command.run(Map.of(), repo, Duration.ofMinutes(2), null,
        List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "down", "--name", name, "--dir", dir.toString(), "--keep"));
  }
}
