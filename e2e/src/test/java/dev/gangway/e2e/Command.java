package dev.gangway.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion and keeps what it printed: how the suite drives kubectl and scripts. */
public final class Command {

  /** What a finished command left behind. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public Result assertOk() {
      if (exitCode != 0) {
        throw new AssertionError("command failed (exit " + exitCode + "): " + String.join(" ", command)
            + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
      }
      return this;
    }
  }

  private Command() {
  }

  public static Result run(Map<String, String> env, Path workDir, Duration timeout, String stdin, List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().putAll(env);
    try {
      // Files, not pipes: a chatty stderr can never block the child while we read stdout.
      Path out = Files.createTempFile("gangway-cmd", ".out");
      Path err = Files.createTempFile("gangway-cmd", ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
      }
      Result result = new Result(List.copyOf(command), p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new AssertionError("could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: " + String.join(" ", command), e);
    }
  }
}
