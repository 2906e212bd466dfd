package dev.gangway.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.health.NodeHealthSignal.Severity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NodeHealthRecorderTest {
  private static final Instant T = Instant.parse("2026-11-02T10:00:00Z");

  @ParameterizedTest(name = "{0} at +{1}s over {2} at +{3}s: replaces={4}")
  @CsvSource({
      "Fatal,   0,  ,        , true",   // nothing kept yet
      "Fatal,   10, Fatal,   0,  true",   // newer fatal
      "Cleared, 10, Fatal,   0,  true",   // repair after the fault
      "Cleared, 0,  Fatal,   10, false",  // a clear older than the fault it would remove
      "Fatal,   0,  Cleared, 10, false",  // a fault older than the repair
      "Cleared, 10, Fatal,   10, true",   // same instant, other severity: the later arrival wins
      "Fatal,   10, Fatal,   10, false",  // the same signal again: nothing to write
  })
  void onlyASignalAtLeastAsNewAsTheKeptOneReplacesIt(Severity severity, long at, Severity heldSeverity, Long heldAt, boolean replaces) {
    Optional<NodeHealthSignal> held = heldSeverity == null ? Optional.empty()
        : Optional.of(new NodeHealthSignal("gpu-1", heldSeverity, "XID 79", T.plusSeconds(heldAt)));
    NodeHealthSignal incoming = new NodeHealthSignal("gpu-1", severity, "XID 79", T.plusSeconds(at));
    assertThat(NodeHealthRecorder.replaces(incoming, held)).isEqualTo(replaces);
  }

  @Test
  void theKeptSignalIsReadBackFromTheNodeAndAnUnreadableOrForeignOneIsIgnored() {
    NodeHealthSignal signal = new NodeHealthSignal("gpu-1", Severity.Fatal, "ECC \"double-bit\" error", T);
    assertThat(NodeHealthRecorder.recorded(node("gpu-1", signal.toJson()))).contains(signal);
    assertThat(NodeHealthRecorder.recorded(node("gpu-1", "{not json"))).isEmpty();
    assertThat(NodeHealthRecorder.recorded(node("gpu-2", signal.toJson()))).as("copied from another node").isEmpty();
    assertThat(NodeHealthRecorder.recorded(node("gpu-1", null))).isEmpty();
  }

  private static Node node(String name, String annotation) {
    return new NodeBuilder().withNewMetadata().withName(name)
        .withAnnotations(annotation == null ? Map.of() : Map.of(NodeHealthRecorder.ANNOTATION, annotation)).endMetadata().build();
  }
}
