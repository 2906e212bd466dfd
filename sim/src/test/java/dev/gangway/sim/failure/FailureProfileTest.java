package dev.gangway.sim.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gangway.sim.clock.Durations;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FailureProfileTest {

  /** The project's reference data, beside the repository (../shared/data); tests run in sim/. */
  static final Path LLAMA3 = Path.of("../../shared/data/failures/llama3-table5.csv");

  @Test
  void ratesGiveBackThePapersInterruptionsAtItsScale() {
    FailureProfile p = FailureProfile.llama3(LLAMA3);
    assertThat(p.components()).hasSize(18);
    // 419 unexpected interruptions in 54 days on 16,384 GPUs.
    assertThat(p.expectedPerDay(16384, 8)).isCloseTo(419 / 54.0, within(1e-9));
    assertThat(p.expectedPerDay(8192, 8)).isCloseTo(419 / 108.0, within(1e-9));
  }

  @Test
  void drawnFaultsOnTheLlama3FleetMatchThePaperWithinPoissonNoise() {
    FailureProfile p = FailureProfile.llama3(LLAMA3);
    // Software faults land on busy GPUs only; on a fully busy fleet every drawn fault is an interruption.
    for (long seed = 1; seed <= 5; seed++) {
      List<Fault> faults = p.draw(2048, 8, 54 * Durations.DAY, new Random(seed));
      assertThat(faults.size()).as("seed " + seed).isBetween(419 - 62, 419 + 62); // ±3σ of Poisson(419)
      assertThat(faults).isSortedAccordingTo(java.util.Comparator.comparingLong(Fault::time));
    }
  }

  @Test
  void theSameSeedDrawsTheSameFaults() {
    FailureProfile p = FailureProfile.llama3(LLAMA3);
    assertThat(p.draw(128, 8, 30 * Durations.DAY, new Random(9))).isEqualTo(p.draw(128, 8, 30 * Durations.DAY, new Random(9)));
  }

  @Test
  void nodeFaultsBreakTheNodeForARepairTimeSoftwareFaultsDoNot() {
    FailureProfile p = FailureProfile.llama3(LLAMA3).scaled(50);
    for (Fault f : p.draw(64, 8, 10 * Durations.DAY, new Random(3))) {
      if (f.component().nodeFault()) {
        assertThat(f.repairMillis()).isGreaterThanOrEqualTo(Durations.MINUTE);
      } else {
        assertThat(f.repairMillis()).isZero();
      }
    }
  }
}
