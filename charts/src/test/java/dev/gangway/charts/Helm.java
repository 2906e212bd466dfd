package dev.gangway.charts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real helm binary on the chart. The binary comes from, in order: the system property
 * {@code gangway.helm} or the environment variable {@code GANGWAY_HELM}; {@code charts/scripts/helm.sh --find-only}
 * (the cache in {@code ~/.cache/gangway}, filled by that script or by {@code e2e/cluster/build-tools.sh});
 * {@code helm} on the PATH. When none exists every test fails and says how to build one.
 */
final class Helm {

  static final Path CHART_DIR = dir("gangway.chartDir", "gangway");
  static final Path ROOT_DIR = dir("gangway.rootDir", "..");
  static final Path GOLDEN_DIR = dir("gangway.goldenDir", "src/test/resources/golden");
  static final Path VALUES_DIR = dir("gangway.valuesDir", "src/test/resources/values");
  static final String RELEASE = "gangway";
  static final String NAMESPACE = "gangway-system";
  /**
   * Chart.yaml requires Kubernetes >= 1.30; without a cluster `helm template` assumes v1.20, so tests
   * name the version the e2e cluster runs.
   */
  static final String KUBE_VERSION = "v1.34.0";

  private static final Path HELM_SCRIPT = dir("gangway.helmScript", "scripts/helm.sh");
  private static final Path HELM_HOME = dir("gangway.helmHome", "target/helm-home");
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static volatile Optional<Path> binary;

  private Helm() {}

  record Result(List<String> command, int exitCode, String stdout, String stderr, Duration took) {
    Result assertSucceeded() {
      if (exitCode != 0) {
        throw new AssertionError("`" + String.join(" ", command) + "` exited with " + exitCode
            + "\n--- stderr ---\n" + stderr + "\n--- stdout ---\n" + stdout);
      }
      return this;
    }
  }

  /** {@code helm template} with the test release name and namespace, plus extra arguments. */
  static Result template(String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("template", RELEASE, CHART_DIR.toString(), "--namespace", NAMESPACE,
        "--kube-version", KUBE_VERSION));
    args.addAll(List.of(extraArgs));
    return run(args);
  }

  /** {@code helm template} with a values file from src/test/resources/values, or the defaults when null. */
  static String renderScenario(String valuesFile) {
    return valuesFile == null
        ? template().assertSucceeded().stdout()
        : template("--values", VALUES_DIR.resolve(valuesFile).toString()).assertSucceeded().stdout();
  }

  static Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT_DIR.toFile());
    Map<String, String> env = pb.environment();
    // Keep helm away from the user's ~/.config/helm, repositories and plugins.
    env.put("HELM_CACHE_HOME", HELM_HOME.resolve("cache").toString());
    env.put("HELM_CONFIG_HOME", HELM_HOME.resolve("config").toString());
    env.put("HELM_DATA_HOME", HELM_HOME.resolve("data").toString());
    env.put("HELM_DEBUG", "false");
    long start = System.nanoTime();
    try {
      Process process = pb.start();
      process.getOutputStream().close();
      CompletableFuture<String> out = readAsync(process.getInputStream());
      CompletableFuture<String> err = readAsync(process.getErrorStream());
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("`" + String.join(" ", command) + "` did not finish within " + TIMEOUT);
      }
      return new Result(command, process.exitValue(), out.join(), err.join(), Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running helm", e);
    }
  }

  static Path binary() {
    Optional<Path> found = binary;
    if (found == null) {
      synchronized (Helm.class) {
        if (binary == null) {
          binary = locate();
        }
        found = binary;
      }
    }
    return found.orElseThrow(() -> new AssertionError(
        "No helm binary found, so the chart cannot be tested. Build one once (a few minutes on 2 cores; it lands in "
            + "${GANGWAY_CACHE:-$HOME/.cache/gangway}/helm-<version>/bin/helm):\n"
            + "    charts/scripts/helm.sh\n"
            + "or point the tests at an existing binary with -Dgangway.helm=/path/to/helm or GANGWAY_HELM=/path/to/helm."));
  }

  private static Optional<Path> locate() {
    String explicit = Optional.ofNullable(System.getProperty("gangway.helm")).filter(s -> !s.isBlank())
        .orElse(System.getenv("GANGWAY_HELM"));
    if (explicit != null && !explicit.isBlank()) {
      Path path = Path.of(explicit);
      if (!Files.isExecutable(path)) {
        throw new AssertionError("gangway.helm / GANGWAY_HELM names " + path + ", which is not an executable file");
      }
      return Optional.of(path);
    }
    Optional<Path> cached = fromScript();
    if (cached.isPresent()) {
      return cached;
    }
    String pathVar = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : pathVar.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "helm"))) {
        return Optional.of(Path.of(dir, "helm"));
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> fromScript() {
    if (!Files.isRegularFile(HELM_SCRIPT)) {
      return Optional.empty();
    }
    try {
      Process process = new ProcessBuilder("bash", HELM_SCRIPT.toString(), "--find-only")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.waitFor() == 0 && !out.isEmpty() && Files.isExecutable(Path.of(out))) {
        return Optional.of(Path.of(out));
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static Path dir(String property, String fallback) {
    return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
  }
}
