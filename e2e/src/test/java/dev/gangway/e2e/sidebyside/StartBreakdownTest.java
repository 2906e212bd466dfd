package dev.gangway.e2e.sidebyside;

import static dev.gangway.e2e.sidebyside.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartBreakdownTest {
  private static final long S = 1_000_000_000L;
  private final ReplayJob pair = new ReplayJob("j000", 0, 10, 2, 4, 1);
  private final ReplayJob late = new ReplayJob("j001", 0, 10, 1, 4, 1);

  @Test
  void aGangwayJobsStartIsSplitAtItsStatusItsPlacementItsPodsTheirBindingAndTheirRunning() {
    ReplayTimeline t = new ReplayTimeline(List.of(pair));
    t.applied("j000", 0);
    t.jobStatus("j000", true, false, 1 * S);
    t.jobStatus("j000", true, true, 6 * S);
    t.event("ADDED", pod("j000", 0, true, "Pending", null, 4), 7 * S);
    t.event("ADDED", pod("j000", 1, true, "Pending", null, 4), 8 * S);
    t.event("MODIFIED", pod("j000", 1, true, "Pending", "n-0-1", 4), 9 * S);
    t.event("MODIFIED", pod("j000", 0, true, "Pending", "n-0-0", 4), 10 * S);
    t.event("MODIFIED", pod("j000", 0, true, "Running", "n-0-0", 4), 11 * S);
    t.event("MODIFIED", pod("j000", 1, true, "Running", "n-0-1", 4), 13 * S);

    assertThat(StartBreakdown.stages(t.milestones("j000"))).containsExactly(1, 5, 1, 1, 2, 3);
    String table = StartBreakdown.render("gangway", List.of(pair), t);
    assertThat(table).contains("| j000 | 2 | 1.0 | 5.0 | 1.0 | 1.0 | 2.0 | 3.0 | 13.0 |").contains("| sum | | 1.0 | 5.0 |");
  }

  @Test
  void withoutAJobStatusTheWaitBeforeTheFirstPodIsOneStageAndAGangNeverWholeSaysSo() {
    ReplayTimeline t = new ReplayTimeline(List.of(pair, late));
    t.applied("j000", 0);
    t.applied("j001", 0);
    t.event("ADDED", pod("j000", 0, false, "Running", "n-0-0", 4), 4 * S);
    t.event("ADDED", pod("j001", 0, false, "Running", "n-1-0", 4), 2 * S);

    assertThat(StartBreakdown.stages(t.milestones("j001"))).containsExactly(Double.NaN, Double.NaN, 2, 0, 0, 0);
    assertThat(StartBreakdown.render("kueue TAS", List.of(pair, late), t))
        .contains("| j000 | 2 | — | — | 4.0 | — | — | — | never whole |")
        .contains("| j001 | 1 | — | — | 2.0 | 0.0 | 0.0 | 0.0 | 2.0 |")
        .contains("| median | | — | — | 3.0 |");
  }
}
