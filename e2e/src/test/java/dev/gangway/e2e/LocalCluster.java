package dev.gangway.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A real control plane on 127.0.0.1 started by e2e/cluster/cluster.sh, the way a developer starts
 * one. Its logs and data stay under target/ so a failed run can be read afterwards. It can do
 * everything a test may ask ({@link Capability}): its nodes are KWOK's, its processes the suite's.
 */
public final class LocalCluster implements ClusterUnderTest {
  private final Path repo;
  private final String name;
  private final Path dir;
  private final Map<String, String> env = new HashMap<>();
  private final Set<Capability> capabilities;

  private LocalCluster(Path repo, String name, Path dir, Set<Capability> capabilities) {
    this.repo = repo;
    this.name = name;
    this.dir = dir;
    this.capabilities = capabilities;
  }

  /** Builds missing binaries, starts the cluster with the given node description and waits until it is ready. */
  public static LocalCluster start(Path repo, Path workDir, String nodes, int portBase) {
    return start(repo, workDir, nodes, portBase, List.of());
  }

  /** As above, with further options of {@code cluster.sh up} (e.g. {@code --audit-log}). */
  public static LocalCluster start(Path repo, Path workDir, String nodes, int portBase, List<String> upOptions) {
    String name = "e2e-" + ProcessHandle.current().pid();
    Set<Capability> capabilities = EnumSet.allOf(Capability.class);
    if (!nodes.equals("small")) {
      capabilities.remove(Capability.SMALL_GPU_CLUSTER);
    }
    if (!upOptions.contains("--audit-log")) {
      capabilities.remove(Capability.AUDIT_LOG);
    }
    LocalCluster cluster = new LocalCluster(repo, name, workDir.resolve("cluster"), Set.copyOf(capabilities));
    String bin = ClusterUnderTest.cachedBinaries(repo).toString();
    // A run that was killed may have left its cluster behind; stop it by the pids it recorded.
    if (Files.isDirectory(cluster.dir)) {
      Command.run(Map.of(), repo, Duration.ofMinutes(2), null,
          List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "down", "--dir", cluster.dir.toString()));
    }
    List<String> up = new ArrayList<>(List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "up",
        "--name", name, "--dir", cluster.dir.toString(), "--port-base", Integer.toString(portBase),
        "--nodes", repo.resolve("e2e/clusters/" + nodes + ".yaml").toString()));
    up.addAll(upOptions);
    // cluster.sh waits up to --timeout for each component and again for the nodes: give it that, and 5 min for the rest.
    int timeout = upOptions.indexOf("--timeout");
    Duration bound = Duration.ofMinutes(5).plusSeconds(timeout < 0 ? 0 : 2L * Integer.parseInt(upOptions.get(timeout + 1)));
    Command.run(Map.of(), repo, bound, null, up).assertOk();
    cluster.env.put("KUBECONFIG", cluster.dir.resolve("kubeconfig").toString());
    cluster.env.put("PATH", bin + ":" + System.getenv("PATH"));
    cluster.env.put("GANGWAY_BIN_DIR", bin);
    return cluster;
  }

  @Override
  public String description() {
    return "the local control plane (e2e/cluster/cluster.sh, KWOK nodes)";
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public FaultInjector faults() {
    return new KwokFaults(this);
  }

  public Path dir() {
    return dir;
  }

  @Override
  public Path kubeconfig() {
    return dir.resolve("kubeconfig");
  }

  /** A kubeconfig of its own user for each operator replica ("a", "b"), so the audit log tells them apart. */
  public Path operatorKubeconfig(String replica) {
    return dir.resolve("operator-" + replica + ".kubeconfig");
  }

  /** The pid cluster.sh recorded for a component of the control plane ("kube-apiserver", "etcd", "kwok", ...). */
  public long pid(String component) {
    try {
      return Long.parseLong(java.nio.file.Files.readString(dir.resolve("pids/" + component + ".pid")).strip());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no recorded pid for " + component, e);
    }
  }

  /** The apiserver's audit log; written only by a cluster started with {@code --audit-log}. */
  public Path auditLog() {
    return dir.resolve("logs/audit.log");
  }

  /** Stops and starts one component (kube-apiserver, kube-scheduler, …), as a crash and restart would. */
  public Command.Result restart(String component) {
    return onComponent("restart", component);
  }

  /** Stops one component by its recorded pid until {@link #start}: kube-controller-manager, so that no garbage collector runs. */
  public Command.Result stop(String component) {
    return onComponent("stop", component);
  }

  /** Starts a component {@link #stop} stopped, with the flags it had, and waits until it is ready. */
  public Command.Result start(String component) {
    return onComponent("start", component);
  }

  private Command.Result onComponent(String command, String component) {
    return Command.run(Map.of(), repo, Duration.ofMinutes(3), null,
        List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), command, "--dir", dir.toString(), "--component", component));
  }

  @Override
  public Path topology() {
    return dir.resolve("topology.yaml");
  }

  @Override
  public Path binary(String tool) {
    return Path.of(env.get("GANGWAY_BIN_DIR"), tool);
  }

  @Override
  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  @Override
  public Path logs() {
    return dir.resolve("logs");
  }

  @Override
  public void close() {
    // --keep: the logs (and etcd data) stay under target/ for whoever reads a failure.
    Command.run(Map.of(), repo, Duration.ofMinutes(2), null,
        List.of(repo.resolve("e2e/cluster/cluster.sh").toString(), "down", "--name", name, "--dir", dir.toString(), "--keep"));
  }
}
