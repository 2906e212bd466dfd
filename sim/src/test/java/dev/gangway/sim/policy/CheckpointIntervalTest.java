package dev.gangway.sim.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointIntervalTest {

  /** Daly (2006), as quoted in ../shared/data/README.md: δ = 5 min. */
  @ParameterizedTest(name = "δ {0} min, M {1} min -> τ ≈ {2} min")
  @CsvSource({
      "5, 1440, 117, 0.5",
      "5, 360, 57, 0.5",
      "5, 15, 9.1, 0.05"})
  void dalyMatchesThePublishedPoints(double delta, double mtbf, double expected, double tolerance) {
    assertThat(CheckpointInterval.daly(delta, mtbf)).isCloseTo(expected, within(tolerance));
  }

  @ParameterizedTest(name = "δ {0}, M {1}: τ = M")
  @CsvSource({"10, 5", "10, 4", "2, 1"})
  void dalyIsTheMtbfWhenAWriteTakesTwiceIt(double delta, double mtbf) {
    assertThat(CheckpointInterval.daly(delta, mtbf)).isEqualTo(mtbf);
  }

  @ParameterizedTest(name = "Young δ {0}, M {1} = {2}")
  @CsvSource({"5, 1440, 120", "2, 100, 20", "8, 2, 5.656854"})
  void youngIsTheSquareRootOfTwoDeltaM(double delta, double mtbf, double expected) {
    assertThat(CheckpointInterval.young(delta, mtbf)).isCloseTo(expected, within(1e-6));
  }
}
