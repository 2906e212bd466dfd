package dev.gangway.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.health.NodeHealthRegistry.Outcome;
import dev.gangway.health.NodeHealthSignal.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeHealthRegistryTest {
  static final Instant T = Instant.parse("2026-11-02T10:00:00Z");

  static NodeHealthSignal signal(String node, Severity severity, long atSeconds) {
    return new NodeHealthSignal(node, severity, "XID 79", T.plusSeconds(atSeconds));
  }

  final NodeHealthRegistry registry = new NodeHealthRegistry(Duration.ofHours(6));
  final List<String> told = new ArrayList<>();

  {
    registry.addListener(told::add);
  }

  @Test
  void aFatalSignalMarksTheNodeAndTellsListenersOnce() {
    assertThat(registry.record(signal("gpu-1", Severity.Fatal, 0), T)).isEqualTo(Outcome.MarkedFatal);
    assertThat(registry.record(signal("gpu-1", Severity.Fatal, 60), T.plusSeconds(60))).isEqualTo(Outcome.StillFatal);
    assertThat(registry.isFatal("gpu-1", T.plusSeconds(60))).isTrue();
    assertThat(registry.fatalSignal("gpu-1", T).map(NodeHealthSignal::reason)).contains("XID 79");
    assertThat(registry.fatalNodes(T)).containsExactly("gpu-1");
    assertThat(told).containsExactly("gpu-1");
  }

  @Test
  void warningsChangeNothing() {
    assertThat(registry.record(signal("gpu-1", Severity.Warning, 0), T)).isEqualTo(Outcome.Unchanged);
    assertThat(registry.isFatal("gpu-1", T)).isFalse();
    assertThat(told).isEmpty();
  }

  @Test
  void aFatalMarkExpiresAfterTheTtlCountedFromTheLatestSignal() {
    registry.record(signal("gpu-1", Severity.Fatal, 0), T);
    registry.record(signal("gpu-1", Severity.Fatal, 3600), T.plusSeconds(3600));
    assertThat(registry.isFatal("gpu-1", T.plus(Duration.ofHours(6)).plusSeconds(1))).isTrue();
    assertThat(registry.isFatal("gpu-1", T.plus(Duration.ofHours(7)))).isFalse();
    assertThat(registry.fatalNodes(T.plus(Duration.ofHours(7)))).isEmpty();
  }

  @Test
  void aSignalOlderThanTheTtlIsIgnored() {
    assertThat(registry.record(signal("gpu-1", Severity.Fatal, 0), T.plus(Duration.ofHours(6)))).isEqualTo(Outcome.Unchanged);
    assertThat(told).isEmpty();
  }

  @Test
  void clearedRemovesTheMarkUnlessItIsOlderThanTheFatalSignal() {
    registry.record(signal("gpu-1", Severity.Fatal, 100), T.plusSeconds(100));
    assertThat(registry.record(signal("gpu-1", Severity.Cleared, 50), T.plusSeconds(120))).isEqualTo(Outcome.Unchanged);
    assertThat(registry.isFatal("gpu-1", T.plusSeconds(120))).isTrue();
    assertThat(registry.record(signal("gpu-1", Severity.Cleared, 200), T.plusSeconds(200))).isEqualTo(Outcome.Cleared);
    assertThat(registry.isFatal("gpu-1", T.plusSeconds(200))).isFalse();
    assertThat(told).containsExactly("gpu-1", "gpu-1");
  }

  @Test
  void clearByHand() {
    registry.record(signal("gpu-1", Severity.Fatal, 0), T);
    assertThat(registry.clear("gpu-1")).isTrue();
    assertThat(registry.clear("gpu-1")).isFalse();
    assertThat(registry.isFatal("gpu-1", T)).isFalse();
  }

  @Test
  void aFailingListenerDoesNotStopTheMark() {
    registry.addListener(node -> {
      throw new IllegalStateException("boom");
    });
    assertThat(registry.record(signal("gpu-2", Severity.Fatal, 0), T)).isEqualTo(Outcome.MarkedFatal);
    assertThat(registry.isFatal("gpu-2", T)).isTrue();
  }
}
