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
    String name = "e2e-" + ProcessHandle.current().pid();
    LocalCluster cluster = new LocalCluster(repo, name, workDir.resolve("cluster"));
    String bin = Command.run(Map.of(), repo, Duration.ofMinutes(90), null,
        List.of(repo.resolve("e2e/cluster/build-tools.sh").toString(), "--print-bin-dir")).assertOk().stdout().strip();
    // A run that was killed may have left its cluster behind; stop it by the pids it recorded.
    if (Files.isDirectory(cluster.dir)) {
      Command.run(Map.of(), repo, Duration.ofMinutes(2), null,
          List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "down", "--dir", cluster.dir.toString()));
    }
    Command.run(Map.of(), repo, Duration.ofMinutes(5), null, List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "up",
        "--name", name, "--dir", cluster.dir.toString(), "--port-base", Integer.toString(portBase),
        "--nodes", repo.resolve("e2e/clusters/" + nodes + ".yaml").toString())).assertOk();
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
