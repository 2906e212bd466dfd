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
    return start(env, workDir, stdin, command).await(timeout);
  }

  /** Starts {@code command} without waiting for it: for a harness that acts while the command runs. */
  public static Running start(Map<String, String> env, Path workDir, String stdin, List<String> command) {
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
      return new Running(List.copyOf(command), p, out, err);
    } catch (IOException e) {
      throw new AssertionError("could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
  }

  /** A command that was started and may still run. */
  public static final class Running {
    private final List<String> command;
    private final Process process;
    private final Path out;
    private final Path err;

    private Running(List<String> command, Process process, Path out, Path err) {
      this.command = command;
      this.process = process;
      this.out = out;
      this.err = err;
    }

    /** Sends SIGTERM to the command (not to its children: a command that runs others passes it on). */
    public void terminate() {
      process.destroy();
    }

    /** Waits for the command to end and returns what it left; kills it after {@code timeout}. */
    public Result await(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
        }
        Result result = new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return result;
      } catch (IOException e) {
        throw new AssertionError("could not read the output of " + String.join(" ", command) + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted: " + String.join(" ", command), e);
      }
    }
  }
}
