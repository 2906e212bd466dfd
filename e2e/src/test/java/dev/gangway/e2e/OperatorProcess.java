package dev.gangway.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged operator (operator/target/quarkus-app) run as its own process, as users run it. */
public final class OperatorProcess implements AutoCloseable {
  private final Process process;
  private final int httpPort;
  private final Path log;
  /** Set when a test stops the process (close, kill): its exit is then no lease loss to recover from. */
  private volatile boolean stoppedByTest;

  OperatorProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /**
   * The environment a benchmark starts the operator with: {@code -Dgangway.bench.operatorJavaOptions=...} becomes its
   * JAVA_TOOL_OPTIONS, e.g. {@code -XX:StartFlightRecording=filename=/tmp/op.jfr,settings=profile,dumponexit=true} to see
   * where the operator's CPU goes; empty without it.
   */
  public static Map<String, String> benchEnvironment() {
    String options = System.getProperty("gangway.bench.operatorJavaOptions", "");
    return options.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", options);
  }

  /**
   * @param kubeconfig whose credentials the operator uses (admin, or a ServiceAccount's token)
   * @param properties extra -D system properties, e.g. to switch leader election on
   */
  public static OperatorProcess start(Path repo, Path kubeconfig, int httpPort, Path log, Map<String, String> properties) {
    return start(repo, kubeconfig, httpPort, log, properties, Map.of());
  }

  /** @param environment extra environment variables, e.g. those the Helm chart sets (GANGWAY_MESSAGING_TYPE, …) */
  public static OperatorProcess start(Path repo, Path kubeconfig, int httpPort, Path log, Map<String, String> properties,
                                      Map<String, String> environment) {
    Path jar = repo.resolve("operator/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn package` (the e2e module runs after operator in `mvn verify`)");
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort));
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(environment);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    try {
      Files.createDirectories(log.getParent());
      OperatorProcess operator = new OperatorProcess(pb.start(), httpPort, log);
      try {
        // Generous: on a loaded 2-core machine a JVM start plus informer sync has taken 140 s. A bound, not a measurement.
        operator.awaitHealthy(Duration.ofSeconds(180));
      } catch (RuntimeException e) {
        operator.close(); // the process we started, by its handle: a failed start must not keep holding its port
        throw e;
      }
      return operator;
    } catch (IOException e) {
      throw new IllegalStateException("could not start the operator: " + e.getMessage(), e);
    }
  }

  /** Waits for Quarkus's liveness endpoint (readiness needs the informers synced, which a follower never does). */
  private void awaitHealthy(Duration timeout) {
    ChildProcess.awaitHttpOk(process, URI.create("http://127.0.0.1:" + httpPort + "/q/health/live"), timeout, "the operator (log: " + log + ")");
  }

  /**
   * Waits for Quarkus's readiness endpoint: the reconciler's informers have synced, so a job applied now is reconciled
   * at once (a leader only: a follower never gets there).
   */
  public void awaitReady(Duration timeout) {
    ChildProcess.awaitHttpOk(process, URI.create(url() + "/q/health/ready"), timeout, "the operator's readiness (log: " + log + ")");
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code timeout} for the process to end by itself; its exit code, or -1 if it still runs. */
  public int awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Base URL of the operator's HTTP server (health, metrics, signal ingest). */
  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  public long pid() {
    return process.pid();
  }

  /** The operator's {@code /q/metrics} page (Prometheus text). */
  public String metrics() throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/q/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The Java Operator SDK's count of reconciles handed to a worker, on the operator's /q/metrics. */
  public static final String RECONCILES_STARTED = "reconciliations_started_total";

  /** The sum of a series' samples over all its labels on {@code /q/metrics}; 0 when it has none. */
  public double metricSum(String series) throws IOException, InterruptedException {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(\\{[^}]*})? (\\S+)$")
        .matcher(metrics());
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }

  /**
   * Runs {@code restart} once if the process exits by itself after losing its leader Lease (it logs why and exits 1,
   * so that Kubernetes restarts the replica): what the Deployment's kubelet would do. A pause of the whole machine
   * (the VM was frozen for 12 s during one `./gangway test`, 2026-12-04) costs a replica its Lease; without this the
   * suite went on with no operator. Any other exit — a crash, or a stop by a test — is left as it is, for the tests
   * that check the operator survives.
   */
  public void restartAfterLeaseLoss(Runnable restart) {
    process.onExit().thenRun(() -> {
      if (!stoppedByTest && process.exitValue() == 1 && log().contains("Lost the leader lease while running")) {
        System.out.println("The shared operator (pid " + process.pid() + ") lost its leader Lease and exited; starting it again,"
            + " as Kubernetes would (log: " + log + ")");
        restart.run();
      }
    });
  }

  /** SIGKILL: the operator dies mid-work, as on a node crash. */
  public void kill() {
    stoppedByTest = true;
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM, as Kubernetes stops a pod. */
  @Override
  public void close() {
    stoppedByTest = true;
    process.destroy();
    if (!waitFor()) {
      process.destroyForcibly();
      waitFor();
    }
  }

  private boolean waitFor() {
    try {
      return process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
