package dev.gangway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Prometheus (Debian's package, unpacked by e2e/prometheus/build-prometheus.sh) as its own process on
 * 127.0.0.1 with a free port, its data under the e2e work folder, stopped by the process it started; queried
 * through its HTTP API as Grafana and Alertmanager would.
 */
final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Process process;
  private final String url;
  private final Path log;
  private final Thread shutdownHook;

  private PrometheusServer(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
    this.shutdownHook = ChildProcess.killOnExit(process);
  }

  /**
   * The directory holding prometheus and promtool. Missing: the test is skipped with the command that installs them,
   * unless GANGWAY_REQUIRE_PROMETHEUS=true (set by ./gangway test, which ran that command): then it fails.
   */
  static Path binaries() {
    Command.Result found = Command.run(java.util.Map.of(), E2eEnvironment.REPO, Duration.ofMinutes(1), null,
        List.of("bash", E2eEnvironment.REPO.resolve("e2e/prometheus/build-prometheus.sh").toString(), "--print-dir", "--find-only"));
    Path dir = found.exitCode() == 0 ? Path.of(found.stdout().strip()) : null;
    if (dir != null && Files.isExecutable(dir.resolve("prometheus"))) {
      return dir;
    }
    String why = "no Prometheus in the cache: run e2e/prometheus/build-prometheus.sh (Debian's prometheus package, ~10 s)";
    if ("true".equals(System.getenv("GANGWAY_REQUIRE_PROMETHEUS"))) {
      throw new AssertionError(why + "; ./gangway test ran it, so it failed: " + found.stderr().strip());
    }
    Assumptions.abort(why);
    return null;
  }

  /**
   * Starts Prometheus scraping {@code target} (host:port) at /q/metrics every second and evaluating {@code ruleFile}
   * every second; waits until it is ready.
   */
  static PrometheusServer start(Path binaries, Path workDir, String target, Path ruleFile) {
    try {
      Files.createDirectories(workDir);
      Path config = workDir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
            evaluation_interval: 1s
          rule_files:
            - %s
          scrape_configs:
            - job_name: gangway
              metrics_path: /q/metrics
              static_configs:
                - targets: ['%s']
          """.formatted(ruleFile, target));
      int port = ChildProcess.freeLoopbackPort();
      Path log = workDir.resolve("prometheus.log");
      Process process = new ProcessBuilder(binaries.resolve("prometheus").toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      Files.writeString(workDir.resolve("prometheus.pid"), Long.toString(process.pid()));
      PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, log);
      try {
        server.awaitReady(Duration.ofSeconds(60));
      } catch (RuntimeException | Error e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return url;
  }

  long pid() {
    return process.pid();
  }

  /** An instant query; the result list (empty when the expression selects nothing). Fails on a query error. */
  JsonNode query(String promql) {
    JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!"success".equals(body.path("status").asText())) {
      throw new AssertionError("Prometheus refused `" + promql + "`: " + body.path("errorType").asText() + ": " + body.path("error").asText());
    }
    return body.path("data").path("result");
  }

  /** The loaded rule groups with each rule's health, last error and state. */
  JsonNode rules() {
    return get("/api/v1/rules").path("data").path("groups");
  }

  /** Active (pending or firing) alerts. */
  JsonNode alerts() {
    return get("/api/v1/alerts").path("data").path("alerts");
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + path + " failed; see " + log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private void awaitReady(Duration timeout) {
    ChildProcess.awaitHttpOk(process, URI.create(url + "/-/ready"), timeout, "prometheus (log: " + log + ")");
  }

  /** SIGTERM to the process this class started, SIGKILL if it has not exited within 20 s. */
  @Override
  public void close() {
    ChildProcess.stop(process, Duration.ofSeconds(20), shutdownHook);
  }
}
