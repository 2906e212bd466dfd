package dev.gangway.sim.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gangway.sim.clock.Durations;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FaultTraceTest {

  static final FailureProfile PROFILE = new FailureProfile(List.of(
      new Component("Faulty GPU", "GPU", true, Symptom.EXIT, true, "XID 79", 1, 1e-5)));
  static final Map<String, Integer> NODES = Map.of("n-0", 0, "n-1", 1);

  static Fault parse(String line) {
    return FaultTrace.parse("t.csv:2", line, PROFILE, n -> NODES.getOrDefault(n, n.matches("\\d+") ? Integer.parseInt(n) : -1));
  }

  @Test
  void aComponentOfTheProfileKeepsItsTraits() {
    Fault f = parse("n-1,12.5,14,Faulty GPU");
    assertThat(f.node()).isEqualTo(1);
    assertThat(f.time()).isEqualTo(Durations.hours(12.5));
    assertThat(f.repairMillis()).isEqualTo(Durations.hours(1.5));
    assertThat(f.component().healthSignal()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "0,1,2,hang; HANG; true; false",
      "0,1,2,hang+health; HANG; true; true",
      "0,1,2,node-down; NODE_DOWN; true; false",
      "0,1,1,software; EXIT; false; false"})
  void aGenericKindSaysItsSymptomAndSignal(String line, Symptom symptom, boolean nodeFault, boolean health) {
    Fault f = parse(line);
    assertThat(f.component().symptom()).isEqualTo(symptom);
    assertThat(f.component().nodeFault()).isEqualTo(nodeFault);
    assertThat(f.component().healthSignal()).isEqualTo(health);
    assertThat(f.repairMillis()).isEqualTo(nodeFault ? Durations.HOUR : 0);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ';', value = {
      "n-9,1,2,hang; node 'n-9' is not in the cluster",
      "n-0,3,2,hang; need 0 <= start_hours <= end_hours",
      "n-0,x,2,hang; must be numbers",
      "n-0,1,2,meteor; kind 'meteor' is neither a component",
      "n-0,1,2; expected node,start_hours,end_hours,kind"})
  void badLinesNameTheLineAndWhatIsWrong(String line, String message) {
    assertThatThrownBy(() -> parse(line)).hasMessageStartingWith("t.csv:2: ").hasMessageContaining(message);
  }
}
