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
 *
 * <p>Which cluster (see e2e/README.md):
 * <ul>
 *   <li>by default the local control plane the suite starts ({@link LocalCluster});
 *   <li>{@code -Dgangway.e2e.kubeconfig=FILE}: the cluster of that kubeconfig ({@link ExternalCluster}); the shell's
 *       KUBECONFIG is never used, so a developer's cluster is a target only when named;
 *   <li>{@code -Pk3s} ({@code -Dgangway.e2e.cluster=k3s}): a K3s cluster in a container started by Testcontainers
 *       (needs a container engine).
 * </ul>
 * In every case the packaged operator runs as a process on this machine against that cluster.
 */
public final class E2eEnvironment implements AutoCloseable {
  public static final Path REPO = Path.of(System.getProperty("gangway.repo", "..")).toAbsolutePath().normalize();
  public static final Path WORK = Path.of(System.getProperty("gangway.e2e.work", "target/e2e")).toAbsolutePath();
  /** The K3s cluster's class, compiled only in the k3s profile (it needs Testcontainers). */
  private static final String K3S_CLUSTER = "dev.gangway.e2e.k3s.K3sCluster";

  private final ClusterUnderTest target;
  private final int portBase;
  private volatile OperatorProcess operator;

  private E2eEnvironment(ClusterUnderTest target, int portBase) {
    this.target = target;
    this.portBase = portBase;
  }

  static E2eEnvironment start() {
    // Spread port bases by pid so parallel runs on one machine do not collide (each cluster uses 10 ports).
    // Below Linux's ephemeral range (32768+), where outgoing connections could take a port first.
    int portBase = 21000 + (int) (ProcessHandle.current().pid() % 500) * 10;
    ClusterUnderTest target = startCluster(portBase);
    System.out.println("e2e: running against " + target.description() + "; can " + target.capabilities());
    E2eEnvironment env = new E2eEnvironment(target, portBase);
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

  private static ClusterUnderTest startCluster(int portBase) {
    String kubeconfig = System.getProperty("gangway.e2e.kubeconfig", "");
    String kind = System.getProperty("gangway.e2e.cluster", kubeconfig.isBlank() ? "local" : "kubeconfig");
    switch (kind) {
      case "local":
        // The audit log is for ChaosE2eTest (who wrote what, when); the other tests do not read it.
        return LocalCluster.start(REPO, WORK, "small", portBase, java.util.List.of("--audit-log"));
      case "kubeconfig":
        if (kubeconfig.isBlank()) {
          throw new IllegalStateException("-Dgangway.e2e.cluster=kubeconfig needs -Dgangway.e2e.kubeconfig=FILE");
        }
        return ExternalCluster.connect("the cluster of -Dgangway.e2e.kubeconfig", Path.of(kubeconfig).toAbsolutePath(),
            WORK.resolve("external"), Boolean.getBoolean("gangway.e2e.kwok-stages"));
      case "k3s":
        try {
          // By name: the class compiles only with -Pk3s, which brings Testcontainers.
          return (ClusterUnderTest) Class.forName(K3S_CLUSTER).getMethod("start", Path.class).invoke(null, WORK.resolve("k3s"));
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException("-Dgangway.e2e.cluster=k3s needs the k3s profile: mvn verify -pl e2e -Pk3s", e);
        } catch (java.lang.reflect.InvocationTargetException e) {
          if (e.getCause() instanceof RuntimeException thrown) {
            throw thrown;
          }
          throw new IllegalStateException("could not start K3s: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("could not start K3s: " + e, e);
        }
      default:
        throw new IllegalStateException("-Dgangway.e2e.cluster=" + kind + ": expected local, kubeconfig or k3s");
    }
  }

  private void prepare() {
    target.installCrds();
    startSharedOperator();
  }

  /** The shared operator, started again by itself if it exits after losing its Lease (see OperatorProcess). */
  private synchronized void startSharedOperator() {
    OperatorProcess started = startOperator("operator", Map.of());
    operator = started;
    started.restartAfterLeaseLoss(() -> {
      synchronized (this) {
        if (!closed && operator == started) {
          startSharedOperator();
        }
      }
    });
  }

  /** The cluster this run targets, whichever it is: what portable tests use. */
  public ClusterUnderTest clusterUnderTest() {
    return target;
  }

  /**
   * The local control plane the suite started. A test that asks for it (its processes, audit log,
   * per-replica credentials, files) is skipped when the run targets another cluster.
   */
  public LocalCluster cluster() {
    if (target instanceof LocalCluster local) {
      return local;
    }
    String reason = "skipped on " + target.description()
        + ": needs the local control plane the suite starts (e2e/cluster/cluster.sh): its files, processes or audit log";
    // Surefire does not show why a whole class (aborted in its constructor) was skipped: say it here.
    System.out.println(reason);
    return org.junit.jupiter.api.Assumptions.abort(reason);
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
    return OperatorProcess.start(REPO, target.kubeconfig(), nextHttpPort(), target.logs().resolve(name + ".log"), properties,
        environment);
  }

  /**
   * Starts another operator process with the given kubeconfig (e.g. a ServiceAccount's token) and
   * environment; the caller stops it. Its log is {@code logs/<name>.log} of the cluster.
   */
  public OperatorProcess startOperator(String name, Path kubeconfig, Map<String, String> properties, Map<String, String> environment) {
    return OperatorProcess.start(REPO, kubeconfig, nextHttpPort(), target.logs().resolve(name + ".log"), properties, environment);
  }

  /** Replaces the shared operator, e.g. after a test killed it. */
  public synchronized void restartOperator() {
    if (operator.isAlive()) {
      operator.close();
    }
    startSharedOperator();
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
      target.close();
    }
  }

  /** The JUnit extension every e2e test class uses: {@code @ExtendWith(E2eEnvironment.Extension.class)}. */
  public static final class Extension implements BeforeAllCallback, ParameterResolver {
    @Override
    public void beforeAll(ExtensionContext context) {
      // Every class starts with no node flagged as bad: the flag is kept on the node (gangway.dev/flagged) and outlives
      // the class whose crashing jobs set it, as it does a restart; removing the label is how a person lifts it.
      get(context).clusterUnderTest().kubectl("label", "nodes", "--all", "gangway.dev/flagged-");
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
