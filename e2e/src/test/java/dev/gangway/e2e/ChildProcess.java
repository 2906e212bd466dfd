package dev.gangway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A server the test JVM starts as its own process (Kafka broker, Prometheus): a free loopback port to give it, and
 * how to stop it — by its handle, never by name, since other runs share the machine.
 */
final class ChildProcess {
  private ChildProcess() {
  }

  /** A port free on 127.0.0.1 right now. */
  static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SIGTERM (a controlled shutdown), then SIGKILL if it has not exited within {@code grace}; and the JVM shutdown hook
   * that would have killed it if the run were stopped first is no longer needed.
   */
  static void stop(Process process, Duration grace, Thread shutdownHook) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already
    }
  }

  /** Registers a hook that kills {@code process} if the JVM stops before the test does (e.g. Ctrl-C). */
  static Thread killOnExit(Process process) {
    Thread hook = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /**
   * Polls {@code url} until it answers 200, failing at once if the process exits and after {@code timeout}.
   *
   * @param what names the server in the failure, with its log
   */
  static void awaitHttpOk(Process process, java.net.URI url, Duration timeout, String what) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(what + " exited with " + process.exitValue());
      }
      try {
        var response = http.send(java.net.http.HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
    throw new IllegalStateException(what + " did not answer " + url + " within " + timeout.toSeconds() + " s");
  }
}
