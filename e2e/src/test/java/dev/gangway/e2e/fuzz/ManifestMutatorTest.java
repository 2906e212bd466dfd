package dev.gangway.e2e.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestMutatorTest {

  /** Seed 20261207 once removed the container a later mutation of the same manifest changed, and the fuzzer threw. */
  @ParameterizedTest
  @ValueSource(longs = {20261202L, 20261203L, 20261207L})
  void everySeedMakesTwoHundredMutantsThatAreJson(long seed) throws Exception {
    ManifestMutator mutator = new ManifestMutator(seed);
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < 200; i++) {
      ManifestMutator.Mutant mutant = mutator.next("fz" + i);
      assertThat(json.readTree(mutant.json()).isObject()).as(mutant.description()).isTrue();
      assertThat(mutant.description()).isNotBlank();
    }
  }
}
