package dev.gangway.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's promtool, unpacked into the cache by {@code e2e/prometheus/build-prometheus.sh}. When it is missing the
 * tests are skipped with the command that installs it, unless {@code GANGWAY_REQUIRE_PROMETHEUS=true} (set by
 * {@code ./gangway test}, which ran that script): then they fail.
 */
final class Promtool {
  private static final Path SCRIPT = Helm.ROOT_DIR.resolve("e2e/prometheus/build-prometheus.sh");

  private Promtool() {
  }

  record Result(int exitCode, String output) {
  }

  static Path binary() {
    String dir = "";
    try {
      Process p = new ProcessBuilder("bash", SCRIPT.toString(), "--print-dir", "--find-only")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() != 0) {
        dir = "";
      }
    } catch (IOException e) {
      dir = "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Path promtool = dir.isEmpty() ? null : Path.of(dir, "promtool");
    if (promtool != null && Files.isExecutable(promtool)) {
      return promtool;
    }
    String why = "no promtool in the cache: run e2e/prometheus/build-prometheus.sh (Debian's prometheus package, ~10 s)";
    if ("true".equals(System.getenv("GANGWAY_REQUIRE_PROMETHEUS"))) {
      throw new AssertionError(why + "; ./gangway test ran it, so it failed: see its output above");
    }
    Assumptions.abort(why);
    return null;
  }

  /** Runs promtool with {@code args} in {@code dir} (rule files are read relative to it). */
  static Result run(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of(binary().toString()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 2 minutes");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
