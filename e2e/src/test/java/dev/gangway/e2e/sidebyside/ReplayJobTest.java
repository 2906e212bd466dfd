package dev.gangway.e2e.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.bench.ScenarioRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayJobTest {

  @Test
  void simulatedHoursBecomeSecondsFromTheFirstArrivalWithAFloorOnRunTime() {
    List<ScenarioRunner.Job> jobs = List.of(new ScenarioRunner.Job(7, 7200, 3600, 18, 4, 18), new ScenarioRunner.Job(8, 9000, 360, 1, 2, 1));
    List<ReplayJob> replay = ReplayJob.of(jobs, 10, 5);
    assertThat(replay).containsExactly(new ReplayJob("j007", 0, 10, 18, 4, 18), new ReplayJob("j008", 5, 5, 1, 2, 1));
    assertThat(replay.get(0).grouped()).isTrue();
    assertThat(replay.get(0).gpus()).isEqualTo(72);
    assertThat(replay.get(1).grouped()).isFalse();
  }
}
