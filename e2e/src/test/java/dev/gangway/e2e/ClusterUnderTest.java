package dev.gangway.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * The cluster the e2e suite runs against: the local control plane it starts ({@link LocalCluster}),
 * a cluster given by kubeconfig ({@link ExternalCluster}) or a Testcontainers K3s cluster
 * ({@code -Pk3s}). Tests drive it with kubectl and inject faults through {@link #faults()}; what only
 * some clusters can do is a {@link Capability}.
 */
public interface ClusterUnderTest extends AutoCloseable {

  /** For skip messages and logs, e.g. "the local control plane (e2e/cluster/cluster.sh)". */
  String description();

  /** The admin kubeconfig every kubectl call and the operator use. */
  Path kubeconfig();

  /** Environment for kubectl, helm and the CLI: KUBECONFIG and PATH point at this cluster and the cached binaries. */
  Map<String, String> env();

  /** A cached binary (kubectl, helm, nodegen, …) of e2e/cluster/build-tools.sh. */
  Path binary(String tool);

  /** Where operator logs and other files of the run go. */
  Path logs();

  Set<Capability> capabilities();

  /** Skips the calling test, with the reason, on a cluster without the capability. */
  default void assume(Capability capability) {
    Assumptions.assumeTrue(capabilities().contains(capability),
        () -> "skipped on " + description() + ": " + capability.reason());
  }

  /** How tests break things on this cluster. */
  FaultInjector faults();

  /** The ClusterTopology of e2e/clusters/small.yaml (levels and node labels), to apply; only with {@link Capability#SMALL_GPU_CLUSTER}. */
  Path topology();

  /** Stops what the suite started for this cluster (nothing, for a cluster it was given). */
  @Override
  void close();

  /**
   * The cached kubectl, helm, nodegen, … of e2e/cluster/build-tools.sh, built if missing;
   * GANGWAY_BIN_DIR, as for cluster.sh, names binaries from elsewhere (and nothing is built).
   */
  static Path cachedBinaries(Path repo) {
    String given = System.getenv("GANGWAY_BIN_DIR");
    return Path.of(given != null ? given : Command.run(Map.of(), repo, Duration.ofMinutes(90), null,
        List.of(repo.resolve("e2e/cluster/build-tools.sh").toString(), "--print-bin-dir")).assertOk().stdout().strip());
  }

  /** kubectl against this cluster with the given stdin; the result is returned whatever the exit code. */
  default Command.Result kubectlWithInput(String stdin, String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(binary("kubectl").toString());
    command.addAll(List.of(args));
    return Command.run(env(), E2eEnvironment.REPO, Duration.ofMinutes(2), stdin, command);
  }

  /** kubectl against this cluster; the result is returned whatever the exit code. */
  default Command.Result kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  /** kubectl that must succeed; returns its stdout. */
  default String kubectlOk(String... args) {
    return kubectl(args).assertOk().stdout();
  }

  /** Applies Gangway's CRDs (server-side: the TrainingJob CRD is large) and waits until they are established. */
  default void installCrds() {
    kubectlOk("apply", "--server-side", "--force-conflicts", "-f", E2eEnvironment.REPO.resolve("crds").toString());
    // `kubectl wait` fails outright while a new CRD has no status yet, so poll instead.
    for (String crd : List.of("trainingjobs.gangway.dev", "clustertopologies.gangway.dev")) {
      org.awaitility.Awaitility.await(crd + " established").atMost(Duration.ofSeconds(60))
          .until(() -> kubectl("get", "crd", crd, "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}")
              .stdout().strip().equals("True"));
    }
  }
}
