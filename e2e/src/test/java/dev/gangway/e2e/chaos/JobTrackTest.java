package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobTrackTest {
  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  private static JobTrack running(int maxRestarts) {
    JobTrack t = new JobTrack(new JobPlan("j", 2, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, maxRestarts, 10,
        true));
    t.state = JobTrack.State.RUNNING;
    return t;
  }

  @Test
  void aRestartingFaultWaitsForTheNextAttemptOfTheAttemptItHit() {
    JobTrack t = running(3);
    t.hit(FaultKind.NODE_DELETED, T, 2);
    assertThat(t.state).isEqualTo(JobTrack.State.RECOVERING);
    assertThat(t.recovering).isEqualTo(FaultKind.NODE_DELETED);
    assertThat(t.injectedAttempt).isEqualTo(2);
    assertThat(t.injectedAt).isEqualTo(T);
  }

  @Test
  void aFaultWithoutEffectLeavesTheJobAsItWas() {
    JobTrack t = running(3);
    t.hit(FaultKind.NODE_NOT_READY_BLIP, T, 1);
    assertThat(t.state).isEqualTo(JobTrack.State.RUNNING);
    assertThat(t.expectation()).isEqualTo(new Expectation(Expectation.Outcome.SUCCEEDED, 0, 0));
  }

  @Test
  void aPermanentExitOrTheLastAllowedRestartSettlesTheJob() {
    JobTrack permanent = running(3);
    permanent.hit(FaultKind.PERMANENT_EXIT, T, 1);
    assertThat(permanent.state).isEqualTo(JobTrack.State.SETTLED);
    JobTrack exhausted = running(0);
    exhausted.hit(FaultKind.OOM_EXIT, T, 1);
    assertThat(exhausted.state).isEqualTo(JobTrack.State.SETTLED);
    assertThat(exhausted.expectation().outcome()).isEqualTo(Expectation.Outcome.FAILED);
  }
}
