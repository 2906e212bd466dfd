package dev.gangway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster the suite did not start, given by a kubeconfig ({@code -Dgangway.e2e.kubeconfig=FILE};
 * the KUBECONFIG of the shell is never used, so a developer's own cluster is never a target by
 * accident). The suite installs the CRDs, runs the packaged operator against it as a process on this
 * machine, creates a namespace per test and deletes it after. Its {@link Capability capabilities} are
 * what its nodes show (the small GPU cluster's labels) and what {@code -Dgangway.e2e.kwok-stages=true}
 * declares (its KWOK runs e2e/cluster/kwok-stages.yaml); faults go through the API
 * ({@link ApiFaults}) unless KWOK's stages are declared.
 */
public final class ExternalCluster implements ClusterUnderTest {
  /** A cluster that shows this label on its nodes was made by e2e/cluster's nodegen from one of e2e/clusters/*.yaml. */
  static final String NODEGEN_LABEL = "gangway.dev/e2e-cluster";
  private static final int SMALL_NODES = 16;
  private static final int SMALL_GPUS = 8;

  private final String description;
  private final Path kubeconfig;
  private final Path workDir;
  private final Map<String, String> env = new HashMap<>();
  private final Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
  private final FaultInjector faults;

  private ExternalCluster(String description, Path kubeconfig, Path workDir, Path bin, boolean kwokStages) {
    this.description = description;
    this.kubeconfig = kubeconfig;
    this.workDir = workDir;
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("GANGWAY_BIN_DIR", bin.toString());
    if (kwokStages) {
      capabilities.addAll(List.of(Capability.RANK_EXIT_CODES, Capability.NODE_CONDITIONS, Capability.NODE_DELETION));
    }
    this.faults = kwokStages ? new KwokFaults(this) : new ApiFaults(this);
  }

  /**
   * Connects to the cluster of the kubeconfig and finds what it can do.
   *
   * @param what how the cluster came to be, for messages (e.g. "the cluster of -Dgangway.e2e.kubeconfig")
   * @param kwokStages the cluster's KWOK runs e2e/cluster/kwok-stages.yaml, so ranks and nodes can fail by annotation
   */
  public static ExternalCluster connect(String what, Path kubeconfig, Path workDir, boolean kwokStages) {
    if (!Files.isReadable(kubeconfig)) {
      throw new IllegalStateException(what + ": kubeconfig " + kubeconfig + " is not a readable file");
    }
    Path bin = ClusterUnderTest.cachedBinaries(E2eEnvironment.REPO);
    ExternalCluster probe = new ExternalCluster(what, kubeconfig, workDir, bin, kwokStages);
    Command.Result ready = probe.kubectl("get", "--raw", "/readyz");
    if (ready.exitCode() != 0) {
      throw new IllegalStateException(what + " (" + kubeconfig + ") is not reachable or not ready: " + ready.stderr().strip());
    }
    String server = probe.kubectlOk("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").strip();
    ExternalCluster cluster = new ExternalCluster(what + " at " + server, kubeconfig, workDir, bin, kwokStages);
    if (cluster.isSmallGpuCluster()) {
      cluster.capabilities.add(Capability.SMALL_GPU_CLUSTER);
    }
    return cluster;
  }

  private boolean isSmallGpuCluster() {
    try {
      return showsSmallGpuCluster(new ObjectMapper().readTree(kubectlOk("get", "nodes", "-l", NODEGEN_LABEL, "-o", "json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The node list (kubectl's JSON) holds the nodes nodegen makes from e2e/clusters/small.yaml: at least 16 with
   * 8 allocatable GPUs each and the rack and NVLink-domain labels the tests' topology names.
   */
  static boolean showsSmallGpuCluster(JsonNode nodeList) {
    int gpuNodes = 0;
    for (JsonNode node : nodeList.path("items")) {
      JsonNode labels = node.path("metadata").path("labels");
      if (labels.has(NODEGEN_LABEL) && node.path("status").path("allocatable").path("nvidia.com/gpu").asInt() == SMALL_GPUS
          && labels.has("network.topology.kubernetes.io/rack") && labels.has("nvidia.com/gpu.clique")) {
        gpuNodes++;
      }
    }
    return gpuNodes >= SMALL_NODES;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  @Override
  public Path binary(String tool) {
    return Path.of(env.get("GANGWAY_BIN_DIR"), tool);
  }

  @Override
  public Path logs() {
    return workDir.resolve("logs");
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.copyOf(capabilities);
  }

  @Override
  public FaultInjector faults() {
    return faults;
  }

  /** Printed by nodegen from e2e/clusters/small.yaml, as cluster.sh does for the local cluster. */
  @Override
  public Path topology() {
    assume(Capability.SMALL_GPU_CLUSTER);
    Path file = workDir.resolve("topology.yaml");
    if (!Files.exists(file)) {
      String yaml = Command.run(Map.of(), E2eEnvironment.REPO, Duration.ofMinutes(1), null, List.of(binary("nodegen").toString(),
          "-description", E2eEnvironment.REPO.resolve("e2e/clusters/small.yaml").toString(), "-print", "topology")).assertOk().stdout();
      try {
        Files.createDirectories(workDir);
        Files.writeString(file, yaml);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return file;
  }

  /** Nothing to stop: the cluster is not the suite's. Each test deletes its own namespace. */
  @Override
  public void close() {
  }
}
