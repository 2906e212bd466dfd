package dev.gangway.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.e2e.chaos.AuditEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteTallyTest {
  private static final String OPERATOR = "gangway-operator-a";
  private static final Instant T0 = Instant.parse("2026-12-02T09:00:00Z");

  @Test
  void countsEachUsersSuccessfulWritesByRequestInEveryWindowThatHoldsThem() {
    List<AuditEvent> events = List.of(
        write(0, OPERATOR, "create", "pods", null, 201),
        write(1, OPERATOR, "patch", "pods", null, 200),
        write(2, OPERATOR, "patch", "pods", null, 200),
        write(3, OPERATOR, "update", "trainingjobs", "status", 200),
        write(4, OPERATOR, "patch", "pods", null, 409),          // refused: nothing written
        write(5, OPERATOR, "get", "pods", null, 200),            // a read
        write(6, "system:kube-scheduler", "create", "pods", "binding", 201),
        write(20, OPERATOR, "delete", "pods", null, 200));       // after both windows
    WriteTally tally = WriteTally.of(events.stream(), List.of(
        new WriteTally.Window("start", T0, T0.plusSeconds(10)),
        new WriteTally.Window("early", T0, T0.plusSeconds(1))));

    assertThat(tally.byRequest("start", OPERATOR)).containsExactly(
        java.util.Map.entry("create pods", 1L), java.util.Map.entry("patch pods", 2L),
        java.util.Map.entry("update trainingjobs/status", 1L));
    assertThat(tally.writes("start", OPERATOR)).isEqualTo(4);
    assertThat(tally.writes("start", OPERATOR, "pods")).isEqualTo(3);
    assertThat(tally.writes("start", OPERATOR, "trainingjobs")).isEqualTo(1);
    assertThat(tally.writes("start", "system:kube-scheduler", "pods")).isEqualTo(1);
    assertThat(tally.byUser("start")).containsEntry(OPERATOR, 4L).containsEntry("system:kube-scheduler", 1L);
    assertThat(tally.byRequest("start")).containsExactly(
        java.util.Map.entry("create pods", 1L), java.util.Map.entry("create pods/binding", 1L), java.util.Map.entry("patch pods", 2L),
        java.util.Map.entry("update trainingjobs/status", 1L));
    assertThat(tally.writes("early", OPERATOR)).isEqualTo(2);
    assertThat(tally.writes("early", "nobody")).isZero();
  }

  @Test
  void readsTheAuditLogsJsonLines() throws Exception {
    java.nio.file.Path log = java.nio.file.Files.createTempFile("audit", ".log");
    java.nio.file.Files.writeString(log, String.join("\n",
        "{\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"user\":{\"username\":\"gangway-operator-a\"},"
            + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"bench\",\"name\":\"g-0\"},\"responseStatus\":{\"code\":201},"
            + "\"requestReceivedTimestamp\":\"2026-12-02T09:00:01.000000Z\",\"stageTimestamp\":\"2026-12-02T09:00:01.010000Z\"}",
        "{\"stage\":\"RequestReceived\",\"verb\":\"create\"}",
        "{\"stage\":\"ResponseComplete\",\"verb\":\"pat"));                     // cut short
    WriteTally tally = WriteTally.read(log, List.of(new WriteTally.Window("all", T0, T0.plusSeconds(60))));
    assertThat(tally.byRequest("all", OPERATOR)).containsExactly(java.util.Map.entry("create pods", 1L));
    java.nio.file.Files.delete(log);
  }

  private static AuditEvent write(int second, String user, String verb, String resource, String subresource, int code) {
    Instant at = T0.plusSeconds(second);
    return new AuditEvent(at, at.plusMillis(5), user, "test", verb, resource, subresource, "bench", "x", code);
  }
}
