package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the suite starts its shared operator again by itself: after a lease loss only, as Kubernetes would. */
class OperatorProcessTest {
  @TempDir
  Path dir;

  /** A stand-in process that writes the line to its log and exits with the code (or waits, for a test to stop it). */
  private OperatorProcess process(String line, int exitCode, boolean waits) throws Exception {
    Path log = dir.resolve("operator.log");
    // Waiting, it exits with the code on SIGTERM too, as the operator exits 1 after a lease loss.
    String script = "trap 'exit " + exitCode + "' TERM; echo '" + line + "' >> " + log + (waits ? "; sleep 30 & wait" : "") + "; exit " + exitCode;
    return new OperatorProcess(new ProcessBuilder("sh", "-c", script).start(), 0, log);
  }

  private static boolean restarted(OperatorProcess process, Runnable stop) throws InterruptedException {
    CountDownLatch restart = new CountDownLatch(1);
    process.restartAfterLeaseLoss(restart::countDown);
    stop.run();
    return restart.await(3, TimeUnit.SECONDS);
  }

  @Test
  void anExitAfterLosingTheLeaseIsRestarted() throws Exception {
    OperatorProcess lost = process("WARN Lost the leader lease while running: exiting", 1, false);
    assertThat(restarted(lost, () -> { })).isTrue();
  }

  @Test
  void aCrashIsLeftForTheTestsToSee() throws Exception {
    OperatorProcess crashed = process("ERROR something else went wrong", 1, false);
    assertThat(restarted(crashed, () -> { })).isFalse();
  }

  @Test
  void aStopByATestIsNotUndone() throws Exception {
    // The log has the line and the exit code is 1: only the stop by the test tells it apart.
    OperatorProcess stopped = process("WARN Lost the leader lease while running: exiting", 1, true);
    Thread.sleep(300);
    assertThat(restarted(stopped, stopped::close)).isFalse();
  }
}
