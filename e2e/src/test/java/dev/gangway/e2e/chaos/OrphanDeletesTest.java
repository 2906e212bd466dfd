package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrphanDeletesTest {
  private static final Instant T = Instant.parse("2026-12-07T12:00:00Z");
  private static final List<DeletedJob> DELETED = List.of(new DeletedJob("chaos", "j01", "uid-1", T));

  private static AuditEvent delete(String user, String pod, Instant at, int code) {
    return new AuditEvent(at, at, user, "gangway", "delete", "pods", null, "chaos", pod, code);
  }

  @Test
  void countsTheOperatorsDeletesOfADeletedJobsRanksAfterItsDeleteOnly() {
    List<AuditEvent> audit = List.of(
        delete("gangway-operator-a", "j01-r0-a1", T.plusSeconds(25), 200),
        delete("gangway-operator-b", "j01-r1-a1", T.plusSeconds(25), 200),
        delete("system:serviceaccount:kube-system:generic-garbage-collector", "j01-r2-a1", T.plusSeconds(1), 200),
        delete("gangway-operator-a", "j01-r3-a1", T.minusSeconds(5), 200),
        delete("gangway-operator-a", "j010-r0-a1", T.plusSeconds(25), 200),
        delete("gangway-operator-a", "j01-r4-a1", T.plusSeconds(25), 409));

    // The garbage collector's, a restart's delete before the job went, another job's name and a refused delete are not.
    assertThat(OrphanDeletes.count(audit, Set.of("gangway-operator-a", "gangway-operator-b"), DELETED)).isEqualTo(2);
  }
}
