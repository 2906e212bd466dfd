package dev.gangway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kueue's controller manager (upstream {@code sigs.k8s.io/kueue/cmd/kueue}, built by e2e/cluster/build-tools.sh
 * {@code --only kueue}) run as a process on 127.0.0.1 against a local cluster, with its CRDs from the same module
 * version. Configuration: the {@code batch/job} integration only, no leader election, internal certificate management
 * off, the visibility API server off. Its webhooks are served on 127.0.0.1 with a self-signed certificate but not
 * registered with the API server, so none is called: jobs are created already suspended and queued, as Kueue's mutating
 * webhook would make them. It runs in a private mount namespace whose /etc carries its metrics certificate
 * ({@link #inPrivateEtc}). Stopped by its process handle.
 */
public final class KueueManager implements AutoCloseable {
  /**
   * Where Kueue 0.17 reads its metrics server's certificate when its internal certificate management is off: a fixed
   * path in cmd/kueue/main.go (a mounted Secret in Kueue's Deployment), read at start even when metrics are not served.
   * No flag or configuration field moves it.
   */
  static final String METRICS_CERTS = "/etc/kueue/metrics/certs";

  private final Process process;
  private final Thread shutdownHook;
  private final Path log;

  private KueueManager(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.shutdownHook = ChildProcess.killOnExit(process);
  }

  /** The Kueue binary, built if missing (tens of minutes the first time). */
  public static Path binary(Path repo) {
    String bin = Command.run(Map.of(), repo, Duration.ofMinutes(120), null,
        List.of(repo.resolve("e2e/cluster/build-tools.sh").toString(), "--only", "kueue", "--print-bin-dir")).assertOk().stdout().strip();
    return Path.of(bin, "kueue");
  }

  /** Applies Kueue's CRDs of the pinned module version (e2e/tools/kueue/go.mod) and waits until they are established. */
  public static void installCrds(Path repo, ClusterUnderTest cluster) {
    Map<String, String> goEnv = Map.of("GOFLAGS", "-mod=mod", "GOTOOLCHAIN", "local", "PATH", System.getenv("PATH"),
        "HOME", System.getProperty("user.home"));
    String moduleDir = Command.run(goEnv, repo.resolve("e2e/tools/kueue"), Duration.ofMinutes(5), null,
        List.of("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/kueue")).assertOk().stdout().strip();
    cluster.kubectlOk("apply", "--server-side", "-f", Path.of(moduleDir, "config/components/crd/bases").toString());
    for (String crd : List.of("topologies", "resourceflavors", "clusterqueues", "localqueues", "workloads")) {
      org.awaitility.Awaitility.await(crd + " established").atMost(Duration.ofSeconds(60))
          .until(() -> cluster.kubectl("get", "crd", crd + ".kueue.x-k8s.io", "-o",
              "jsonpath={.status.conditions[?(@.type==\"Established\")].status}").stdout().strip().equals("True"));
    }
  }

  /** Starts the manager and waits until its readiness endpoint answers. */
  public static KueueManager start(Path binary, Path kubeconfig, Path workDir, Path log) {
    try {
      Path certs = workDir.resolve("webhook-certs");
      Files.createDirectories(certs);
      selfSigned(certs);
      Path etcOverlay = workDir.resolve("etc-overlay");
      deleteTree(etcOverlay); // a previous run's overlay work dir must not be reused
      Path etcUpper = etcOverlay.resolve("upper");
      Path etcWork = etcOverlay.resolve("work");
      Path metricsCerts = etcUpper.resolve(METRICS_CERTS.substring("/etc/".length()));
      Files.createDirectories(metricsCerts);
      Files.createDirectories(etcWork);
      selfSigned(metricsCerts);
      int health = ChildProcess.freeLoopbackPort();
      int webhook = ChildProcess.freeLoopbackPort();
      Path config = workDir.resolve("kueue-config.yaml");
      Files.writeString(config, """
          apiVersion: config.kueue.x-k8s.io/v1beta2
          kind: Configuration
          namespace: kueue-system
          health:
            healthProbeBindAddress: 127.0.0.1:%d
          metrics:
            bindAddress: "0"
          webhook:
            host: 127.0.0.1
            port: %d
            certDir: %s
          leaderElection:
            leaderElect: false
          internalCertManagement:
            enable: false
          clientConnection:
            qps: 50
            burst: 100
          integrations:
            frameworks: ["batch/job"]
          featureGates:
            VisibilityOnDemand: false
          """.formatted(health, webhook, certs));
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(inPrivateEtc(etcUpper, etcWork, List.of(binary.toString(), "--config", config.toString())))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      KueueManager manager = new KueueManager(pb.start(), log);
      try {
        ChildProcess.awaitHttpOk(manager.process, URI.create("http://127.0.0.1:" + health + "/readyz"), Duration.ofSeconds(180),
            "Kueue's manager (log: " + log + ")");
      } catch (RuntimeException e) {
        manager.close();
        throw e;
      }
      return manager;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start Kueue's manager", e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() {
    ChildProcess.stop(process, Duration.ofSeconds(20), shutdownHook);
  }

  private static void selfSigned(Path dir) {
    Command.run(Map.of("PATH", System.getenv("PATH")), dir, Duration.ofMinutes(1), null, List.of("openssl", "req", "-x509",
        "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", dir.resolve("tls.key").toString(), "-out", dir.resolve("tls.crt").toString())).assertOk();
  }

  /**
   * {@code command} in a private mount namespace where /etc is an overlay: the machine's /etc below, {@code upper} on
   * top, so files under {@code upper} appear under /etc for that process alone and whatever it writes there lands in
   * {@code upper}; the machine's /etc is never written. Kueue's Deployment mounts its metrics certificate the same way,
   * as a volume. {@code unshare --mount} needs root, which the e2e machines run as. (Kueue's own alternative, internal
   * certificate management, blocks its start until it has injected its CA into the conversion webhooks of its CRDs,
   * which the CRD bases applied here do not declare, and into webhook configurations this setup does not register.)
   *
   * @param work overlayfs's work directory, empty, on the same filesystem as {@code upper}
   */
  static List<String> inPrivateEtc(Path upper, Path work, List<String> command) {
    for (Path p : List.of(upper, work)) {
      // overlayfs separates its options with commas and its lower directories with colons
      if (p.toString().matches(".*[,:\\\\].*")) {
        throw new IllegalArgumentException("an overlay directory's path may not contain ',', ':' or '\\': " + p);
      }
    }
    List<String> out = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
        "mount -t overlay overlay -o \"lowerdir=/etc,upperdir=$1,workdir=$2\" /etc && shift 2 && exec \"$@\"",
        "private-etc", upper.toAbsolutePath().toString(), work.toAbsolutePath().toString()));
    out.addAll(command);
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

}
