package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made snapshots that break one invariant each, and one that breaks none. */
class InvariantCheckerTest {
  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
  private static final InvariantChecker CHECKER = InvariantChecker.STANDARD;

  private static Snapshot.PodFact pod(String job, int rank, int attempt, String phase, boolean deleting, String node, String reserved,
                                      int gpus) {
    return new Snapshot.PodFact("ns", job + "-r" + rank + "-a" + attempt + (deleting ? "-old" : ""), job, "uid-" + job, rank, attempt, phase,
        deleting, node, reserved, gpus);
  }

  private static Snapshot.JobFact job(String name, String phase, int attempt, Long step) {
    return new Snapshot.JobFact("ns", name, "uid-" + name, phase, attempt, attempt - 1, 0, step, "True/GangPlaced");
  }

  private static Snapshot snapshot(Instant at, List<Snapshot.PodFact> pods, Snapshot.JobFact... jobs) {
    return new Snapshot(at, List.of(jobs), pods, List.of(new Snapshot.NodeFact("n1", 8, true), new Snapshot.NodeFact("n2", 8, true)));
  }

  private static List<Invariant> found(Snapshot s, List<DeletedJob> deleted, List<CheckIn> checkIns) {
    return CHECKER.check(s, deleted, checkIns).stream().map(Violation::invariant).toList();
  }

  @Test
  void aHealthyGangViolatesNothing() {
    Snapshot s = snapshot(T, List.of(pod("a", 0, 2, "Running", false, "n1", "n1", 4), pod("a", 1, 2, "Running", false, "n1", "n1", 4),
        // the failed attempt's pods, terminated and being deleted, no longer count
        pod("a", 0, 1, "Failed", true, "n2", null, 8)), job("a", "Running", 2, 5L));
    assertThat(CHECKER.check(s, List.of(), List.of(new CheckIn("ns", "a", "uid-a", 2, 5, T.minusSeconds(60), "a")))).isEmpty();
  }

  @Test
  void twoLivePodsForOneRankAndAttempt() {
    Snapshot s = snapshot(T, List.of(pod("a", 0, 1, "Running", false, "n1", null, 1),
        new Snapshot.PodFact("ns", "a-r0-a1-copy", "a", "uid-a", 0, 1, "Pending", false, null, "n2", 1)), job("a", "Running", 1, null));
    List<Violation> v = CHECKER.check(s, List.of(), List.of());
    assertThat(v).extracting(Violation::invariant).containsExactly(Invariant.DUPLICATE_RANK_POD);
    assertThat(v.get(0).job()).isEqualTo("ns/a");
    assertThat(v.get(0).rank()).isZero();
    assertThat(v.get(0).attempt()).isEqualTo(1);
    assertThat(v.get(0).evidence()).contains("a-r0-a1", "a-r0-a1-copy");
  }

  @Test
  void anOldAttemptRunningBesideTheNewOne() {
    Snapshot s = snapshot(T, List.of(pod("a", 1, 1, "Running", true, "n1", null, 1), pod("a", 0, 2, "Running", false, "n2", "n2", 1)),
        job("a", "Running", 2, null));
    List<Violation> v = CHECKER.check(s, List.of(), List.of());
    assertThat(v).extracting(Violation::invariant).containsExactly(Invariant.OLD_ATTEMPT_BESIDE_NEW);
    assertThat(v.get(0).rank()).isEqualTo(1);
    assertThat(v.get(0).attempt()).isEqualTo(1);
  }

  @Test
  void aDeletedJobsPodLeftAfterTheGraceButNotBefore() {
    List<Snapshot.PodFact> pods = List.of(pod("gone", 0, 1, "Running", true, "n1", null, 1));
    List<DeletedJob> deleted = List.of(new DeletedJob("ns", "gone", "uid-gone", T.minusSeconds(61)));
    assertThat(found(snapshot(T, pods), deleted, List.of())).containsExactly(Invariant.DELETED_JOB_POD_LEFT);
    assertThat(found(snapshot(T.minusSeconds(2), pods), deleted, List.of())).isEmpty();
    // a new job of the same name (another uid) is not the deleted one
    assertThat(found(snapshot(T, pods), List.of(new DeletedJob("ns", "gone", "uid-older", T.minusSeconds(100))), List.of())).isEmpty();
  }

  @Test
  void moreGpusBoundOrReservedOnANodeThanItHas() {
    Snapshot s = snapshot(T, List.of(pod("a", 0, 1, "Running", false, "n1", "n1", 8), pod("b", 0, 1, "Pending", false, null, "n1", 4)),
        job("a", "Running", 1, null), job("b", "Pending", 1, null));
    List<Violation> v = CHECKER.check(s, List.of(), List.of());
    assertThat(v).extracting(Violation::invariant).containsExactly(Invariant.GPU_DOUBLE_BOOKED);
    assertThat(v.get(0).job()).isEqualTo("ns/a,ns/b");
    assertThat(v.get(0).evidence()).contains("node n1 has 8 GPUs", "want 12");
  }

  @Test
  void anAcknowledgedCheckInMissingFromStatusAfterItsBound() {
    Snapshot s = snapshot(T, List.of(), job("a", "Running", 2, 3L));
    CheckIn late = new CheckIn("ns", "a", "uid-a", 2, 7, T.minusSeconds(31), "b");
    CheckIn recent = new CheckIn("ns", "a", "uid-a", 2, 9, T.minusSeconds(5), "b");
    CheckIn superseded = new CheckIn("ns", "a", "uid-a", 1, 2, T.minusSeconds(90), "a");
    List<Violation> v = CHECKER.check(s, List.of(), List.of(late, recent, superseded));
    assertThat(v).extracting(Violation::invariant).containsExactly(Invariant.CHECKIN_LOST);
    assertThat(v.get(0).evidence()).contains("step 7", "replica b", "lastCheckpoint.step is 3");
  }
}
