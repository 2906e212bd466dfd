package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderWriteCheckTest {
  private static final Set<String> OPERATORS = Set.of("gangway-operator-a", "gangway-operator-b");

  private static String line(String received, String completed, String user, String verb, String resource, String ns, String name, int code) {
    return """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","verb":"%s",\
        "user":{"username":"%s"},"userAgent":"fabric8-kubernetes-client/7.5.2",\
        "objectRef":{"resource":"%s","namespace":"%s","name":"%s"},"responseStatus":{"code":%d},\
        "requestReceivedTimestamp":"%s","stageTimestamp":"%s"}""".formatted(verb, user, resource, ns, name, code, received, completed);
  }

  private static List<AuditEvent> log(String... lines) {
    return AuditEvent.parse(List.of(lines));
  }

  @Test
  void writesByTheHolderOfTheLeasePassAndAFollowersWriteIsNamed() {
    List<AuditEvent> events = log(
        line("2026-12-01T10:00:00.000000Z", "2026-12-01T10:00:00.010000Z", "gangway-operator-a", "create", "leases", "gangway-system", "lease", 201),
        line("2026-12-01T10:00:01.000000Z", "2026-12-01T10:00:01.010000Z", "gangway-operator-a", "create", "pods", "ml", "j-r0-a1", 201),
        // b tries the Lease and is refused: it stays a follower
        line("2026-12-01T10:00:02.000000Z", "2026-12-01T10:00:02.010000Z", "gangway-operator-b", "update", "leases", "gangway-system", "lease", 409),
        line("2026-12-01T10:00:03.000000Z", "2026-12-01T10:00:03.010000Z", "gangway-operator-b", "patch", "nodes", "", "n1", 200),
        // reads and permission questions change nothing, and other users are not operators
        line("2026-12-01T10:00:03.400000Z", "2026-12-01T10:00:03.410000Z", "gangway-operator-b", "create", "selfsubjectrulesreviews", "", "", 201),
        line("2026-12-01T10:00:03.500000Z", "2026-12-01T10:00:03.510000Z", "gangway-operator-b", "get", "pods", "ml", "j-r0-a1", 200),
        line("2026-12-01T10:00:03.600000Z", "2026-12-01T10:00:03.610000Z", "system:kube-scheduler", "create", "bindings", "ml", "j-r0-a1", 201),
        // a is killed; b takes the Lease and writes
        line("2026-12-01T10:00:20.000000Z", "2026-12-01T10:00:20.010000Z", "gangway-operator-b", "update", "leases", "gangway-system", "lease", 200),
        line("2026-12-01T10:00:20.100000Z", "2026-12-01T10:00:20.110000Z", "gangway-operator-b", "patch", "trainingjobs", "ml", "j", 200),
        "{not json",
        line("2026-12-01T10:00:21.000000Z", "2026-12-01T10:00:21.010000Z", "gangway-operator-a", "create", "events", "ml", "j.1", 201));
    List<Violation> v = LeaderWriteCheck.check(events, OPERATORS, "gangway-system", "lease");
    assertThat(v).extracting(Violation::invariant).containsOnly(Invariant.NON_LEADER_WRITE);
    assertThat(v).extracting(Violation::evidence).satisfiesExactly(
        e -> assertThat(e).contains("patch nodes", "gangway-operator-b", "held by gangway-operator-a"),
        e -> assertThat(e).contains("create events ml/j.1 by gangway-operator-a", "held by gangway-operator-b since 2026-12-01T10:00:20.010Z"));
    assertThat(LeaderWriteCheck.holdings(events, "gangway-system", "lease")).extracting(LeaderWriteCheck.Holding::user)
        .containsExactly("gangway-operator-a", "gangway-operator-b");
  }

  @Test
  void aWriteBeforeAnyoneHeldTheLeaseIsAViolation() {
    List<AuditEvent> events = log(
        line("2026-12-01T10:00:00.000000Z", "2026-12-01T10:00:00.010000Z", "gangway-operator-a", "create", "pods", "ml", "p", 201));
    assertThat(LeaderWriteCheck.check(events, OPERATORS, "gangway-system", "lease")).singleElement()
        .satisfies(x -> assertThat(x.evidence()).contains("held by nobody"));
  }
}
