package dev.gangway.e2e.chaos;

import dev.gangway.e2e.LocalCluster;
import dev.gangway.e2e.OperatorProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The two operator replicas of the chaos run, "a" and "b", each the packaged jar as its own
 * process with its own API user (gangway-operator-a/-b, for the audit log) and HOSTNAME (so its
 * Lease identity, HOSTNAME-pid@address, says which one holds the Lease). A killed replica is started again
 * in the background, as its Deployment would.
 */
public final class Replicas implements AutoCloseable {
  public static final List<String> NAMES = List.of("a", "b");
  public static final String LEASE_NAMESPACE = "gangway-chaos";
  public static final String LEASE_NAME = "gangway-operator-lease";

  private final Path repo;
  private final LocalCluster cluster;
  private final int firstPort;
  private final Map<String, String> properties;
  private final Map<String, OperatorProcess> running = new ConcurrentHashMap<>();
  private final ExecutorService restarts = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "chaos-replica-restart");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Integer> starts = new ConcurrentHashMap<>();
  /** Replicas being started again (after a kill, or after they exited by themselves). */
  private final java.util.Set<String> restarting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** @param firstPort replica a's HTTP port; b's is the next one */
  public Replicas(Path repo, LocalCluster cluster, int firstPort, Map<String, String> properties) {
    this.repo = repo;
    this.cluster = cluster;
    this.firstPort = firstPort;
    this.properties = Map.copyOf(properties);
  }

  public void startAll() {
    NAMES.forEach(this::start);
  }

  /** Blocks until the replica answers its liveness probe; retries while the API server is away. */
  private void start(String name) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        int n = starts.merge(name, 1, Integer::sum);
        OperatorProcess p = OperatorProcess.start(repo, cluster.operatorKubeconfig(name), firstPort + NAMES.indexOf(name),
            cluster.logs().resolve("chaos-operator-" + name + "-" + n + ".log"), properties,
            Map.of("HOSTNAME", hostname(name), "POD_NAMESPACE", LEASE_NAMESPACE));
        if (closed) {
          p.close(); // a restart that finished after close() (a slow start outlasts its wait): leave nothing behind
          return;
        }
        running.put(name, p);
        return;
      } catch (IllegalStateException e) {
        last = e;
        sleep(Duration.ofSeconds(3));
      }
    }
    throw last;
  }

  public static String hostname(String name) {
    return "chaos-" + name;
  }

  public static String apiUser(String name) {
    return "gangway-operator-" + name;
  }

  /**
   * Whether a Lease holder identity ({@code HOSTNAME-pid@address}) is the process whose
   * {@link #identity} is {@code identity}.
   */
  public static boolean sameProcess(String holderIdentity, String identity) {
    return identity != null && holderIdentity != null && (holderIdentity.equals(identity) || holderIdentity.startsWith(identity + "@"));
  }

  /** The replica a Lease identity (HOSTNAME-pid@address) belongs to, or null. */
  public static String ofIdentity(String holderIdentity) {
    return NAMES.stream().filter(n -> holderIdentity != null && holderIdentity.startsWith(hostname(n) + "-")).findFirst().orElse(null);
  }

  public boolean alive(String name) {
    OperatorProcess p = running.get(name);
    return p != null && p.isAlive();
  }

  public boolean allAlive() {
    return NAMES.stream().allMatch(this::alive);
  }

  public String url(String name) {
    return running.get(name).url();
  }

  /** SIGKILL now; started again after {@code downFor}. Returns when it was killed. */
  public Instant kill(String name, Duration downFor) {
    OperatorProcess p = running.remove(name);
    p.kill();
    Instant killed = Instant.now();
    restartAfter(name, downFor);
    return killed;
  }

  /**
   * Starts again, as its Deployment would, every replica that exited by itself (e.g. it lost the
   * Lease while the API server was away, and exits by design); returns those it found.
   */
  public List<String> restartExited() {
    List<String> exited = NAMES.stream().filter(n -> !restarting.contains(n) && !alive(n)).toList();
    exited.forEach(n -> {
      running.remove(n);
      restartAfter(n, Duration.ofSeconds(1));
    });
    return exited;
  }

  private void restartAfter(String name, Duration delay) {
    restarting.add(name);
    restarts.submit(() -> {
      try {
        sleep(delay);
        start(name);
      } finally {
        restarting.remove(name);
      }
    });
  }

  /** The identity (HOSTNAME-pid) the replica uses in the Lease, before the {@code @address} the Lease adds. */
  public String identity(String name) {
    OperatorProcess p = running.get(name);
    return p == null ? null : hostname(name) + "-" + p.pid();
  }

  @Override
  public void close() {
    closed = true;
    restarts.shutdownNow();
    try {
      restarts.awaitTermination(90, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.values().forEach(OperatorProcess::close);
    running.clear();
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
