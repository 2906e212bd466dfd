package dev.gangway.e2e;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One cluster and one operator for the whole run (starting a control plane takes tens of seconds),
 * shared by every test class through JUnit's root store and stopped when the run ends.
 */
public final class E2eEnvironment implements AutoCloseable {
  public static final Path REPO = Path.of(System.getProperty("gangway.repo", "..")).toAbsolutePath().normalize();
  public static final Path WORK = Path.of(System.getProperty("gangway.e2e.work", "target/e2e")).toAbsolutePath();

  private final LocalCluster cluster;
  private final int portBase;
  private OperatorProcess operator;

  private E2eEnvironment(LocalCluster cluster, int portBase) {
    this.cluster = cluster;
    this.portBase = portBase;
  }

  static E2eEnvironment start() {
    // Spread port bases by pid so parallel runs on one machine do not collide (each cluster uses 10 ports).
    // Below Linux's ephemeral range (32768+), where outgoing connections could take a port first.
    int portBase = 21000 + (int) (ProcessHandle.current().pid() % 500) * 10;
    // The audit log is for ChaosE2eTest (who wrote what, when); the other tests do not read it.
    LocalCluster cluster = LocalCluster.start(REPO, WORK, "small", portBase, java.util.List.of("--audit-log"));
    E2eEnvironment env = new E2eEnvironment(cluster, portBase);
    try {
      env.prepare();
    } catch (RuntimeException | Error e) {
      env.close();
      throw e;
    }
    // Last resort if the JVM is stopped before JUnit closes the store (e.g. Ctrl-C).
    Runtime.getRuntime().addShutdownHook(new Thread(env::close));
    return env;
  }

  private void prepare() {
    cluster.installCrds();
    operator = startOperator("operator", Map.of());
  }

  public LocalCluster cluster() {
    return cluster;
  }

  public int portBase() {
    return portBase;
  }

  public OperatorProcess operator() {
    return operator;
  }

  /** Starts another operator process against the admin kubeconfig; the caller stops it. */
  public OperatorProcess startOperator(String name, Map<String, String> properties) {
    return startOperator(name, properties, Map.of());
  }

  /** As above, with extra environment variables (configuration as the Helm chart passes it). */
  public OperatorProcess startOperator(String name, Map<String, String> properties, Map<String, String> environment) {
    return OperatorProcess.start(REPO, cluster.kubeconfig(), nextHttpPort(), cluster.logs().resolve(name + ".log"), properties,
        environment);
  }

  /**
   * Starts another operator process with the given kubeconfig (e.g. a ServiceAccount's token) and
   * environment; the caller stops it. Its log is {@code logs/<name>.log} of the cluster.
   */
  public OperatorProcess startOperator(String name, Path kubeconfig, Map<String, String> properties, Map<String, String> environment) {
    return OperatorProcess.start(REPO, kubeconfig, nextHttpPort(), cluster.logs().resolve(name + ".log"), properties, environment);
  }

  /** Replaces the shared operator, e.g. after a test killed it. */
  public void restartOperator() {
    if (operator.isAlive()) {
      operator.close();
    }
    operator = startOperator("operator", Map.of());
  }

  private int httpPorts;

  private synchronized int nextHttpPort() {
    return portBase + 6 + (httpPorts++ % 4);
  }

  private boolean closed;

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (operator != null) {
        operator.close();
      }
    } finally {
      cluster.close();
    }
  }

  /** The JUnit extension every e2e test class uses: {@code @ExtendWith(E2eEnvironment.Extension.class)}. */
  public static final class Extension implements BeforeAllCallback, ParameterResolver {
    @Override
    public void beforeAll(ExtensionContext context) {
      get(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == E2eEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return get(context);
    }

    public static E2eEnvironment get(ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(E2eEnvironment.class, k -> E2eEnvironment.start(), E2eEnvironment.class);
    }
  }
}
