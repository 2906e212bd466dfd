package dev.gangway.e2e.k3s;

import dev.gangway.e2e.Capability;
import dev.gangway.e2e.ClusterUnderTest;
import dev.gangway.e2e.ExternalCluster;
import dev.gangway.e2e.FaultInjector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A K3s cluster in a container started by Testcontainers' K3s module ({@code mvn verify -pl e2e -Pk3s},
 * on a machine with a container engine). Compiled only in that profile. Once started it is a cluster
 * given by kubeconfig like any other ({@link ExternalCluster}): the packaged operator runs on this
 * machine against K3s's API server, faults go through the API, and tests that need simulated GPU
 * nodes or KWOK's stages are skipped with the reason (K3s's one node has no GPUs).
 */
public final class K3sCluster implements ClusterUnderTest {
  /** K3s of the Kubernetes minor the local control plane runs (v1.34); -Dgangway.e2e.k3s-image picks another. */
  static final String DEFAULT_IMAGE = "rancher/k3s:v1.34.1-k3s1";

  private final K3sContainer container;
  private final ExternalCluster cluster;

  private K3sCluster(K3sContainer container, ExternalCluster cluster) {
    this.container = container;
    this.cluster = cluster;
  }

  /** Called by name from E2eEnvironment (this class exists only in the k3s profile). */
  public static ClusterUnderTest start(Path workDir) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException("-Pk3s needs a container engine (Docker, or Podman with its Docker socket) for"
          + " Testcontainers, and none was found on this machine; run the suite without -Pk3s (its own control plane)"
          + " or with -Dgangway.e2e.kubeconfig=FILE");
    }
    String image = System.getProperty("gangway.e2e.k3s-image", DEFAULT_IMAGE);
    K3sContainer container = new K3sContainer(DockerImageName.parse(image));
    container.start();
    try {
      Path kubeconfig = workDir.resolve("kubeconfig");
      Files.createDirectories(workDir);
      // Points at the container's API server through the port Testcontainers mapped on this machine.
      Files.writeString(kubeconfig, container.getKubeConfigYaml());
      return new K3sCluster(container, ExternalCluster.connect("K3s (" + image + ", Testcontainers)", kubeconfig, workDir, false));
    } catch (IOException | RuntimeException e) {
      container.stop();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  @Override
  public String description() {
    return cluster.description();
  }

  @Override
  public Path kubeconfig() {
    return cluster.kubeconfig();
  }

  @Override
  public Map<String, String> env() {
    return cluster.env();
  }

  @Override
  public Path binary(String tool) {
    return cluster.binary(tool);
  }

  @Override
  public Path logs() {
    return cluster.logs();
  }

  @Override
  public Set<Capability> capabilities() {
    return cluster.capabilities();
  }

  @Override
  public FaultInjector faults() {
    return cluster.faults();
  }

  @Override
  public Path topology() {
    return cluster.topology();
  }

  @Override
  public void close() {
    container.stop();
  }
}
