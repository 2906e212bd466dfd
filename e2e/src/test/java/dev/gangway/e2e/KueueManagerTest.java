package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private /etc Kueue's manager runs with: run for real with a shell in place of Kueue (no cluster needed). */
class KueueManagerTest {
  @TempDir
  Path dir;

  @Test
  void theProcessReadsTheCertificateUnderEtcAndWritesThereLandInTheWorkDirNotOnTheMachine() throws Exception {
    assumeTrue(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0), "unshare --mount needs root");
    Path upper = dir.resolve("upper");
    Path work = dir.resolve("work");
    Path certs = upper.resolve("kueue/metrics/certs");
    Files.createDirectories(certs);
    Files.createDirectories(work);
    Files.writeString(certs.resolve("tls.crt"), "the work dir's certificate\n");
    String marker = "written-by-" + ProcessHandle.current().pid();
    boolean etcKueueBefore = Files.exists(Path.of("/etc/kueue"));

    Command.Result r = Command.run(Map.of("PATH", System.getenv("PATH")), dir, Duration.ofSeconds(30), null,
        KueueManager.inPrivateEtc(upper, work, List.of("sh", "-c",
            "cat " + KueueManager.METRICS_CERTS + "/tls.crt && touch /etc/kueue/" + marker + " && test -f /etc/hostname -o -f /etc/passwd")));

    // A container without CAP_SYS_ADMIN (or whose /tmp overlayfs cannot stack on) cannot run the benchmark either.
    assumeTrue(r.exitCode() == 0 || !r.stderr().matches("(?s).*(unshare|mount)[^\\n]*(Operation not permitted|[Pp]ermission denied|not supported|wrong fs type).*"),
        () -> "this machine cannot make a private mount namespace: " + r.stderr());
    assertThat(r.exitCode()).as("stderr: " + r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("the work dir's certificate\n");
    assertThat(upper.resolve("kueue/" + marker)).exists();
    assertThat(Path.of("/etc/kueue/" + marker)).doesNotExist();
    assertThat(Files.exists(Path.of("/etc/kueue"))).as("/etc/kueue exists on the machine").isEqualTo(etcKueueBefore);
  }

  @Test
  void anOverlayDirectoryWhosePathOverlayfsCannotParseIsRefused() {
    assertThatThrownBy(() -> KueueManager.inPrivateEtc(dir.resolve("a,b"), dir.resolve("work"), List.of("true")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a,b");
    assertThatThrownBy(() -> KueueManager.inPrivateEtc(dir.resolve("upper"), dir.resolve("w:x"), List.of("true")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w:x");
  }
}
