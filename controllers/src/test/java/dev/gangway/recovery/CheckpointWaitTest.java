package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointWaitTest {
  private static final Instant SIGNAL = Instant.parse("2026-11-26T10:00:00Z");
  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final FailureClassifier CLASSIFIER = new FailureClassifier(Duration.ofSeconds(60));

  private static Classification unhealthy(Instant since) {
    Failure f = Failure.onNode(3, "llm-r3-a1", NodeStatus.unhealthy("gpu-7", "XID 79", since), SIGNAL.plusSeconds(1));
    return CLASSIFIER.classify(f, List.of(), SIGNAL.plusSeconds(1));
  }

  private static Classification crashed() {
    Failure f = new Failure(3, "llm-r3-a1", NodeStatus.unhealthy("gpu-7", "XID 79", SIGNAL), 1, "Error", Set.of(), SIGNAL, null);
    return CLASSIFIER.classify(f, List.of(), SIGNAL);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("waits for the next checkpoint", unhealthy(SIGNAL), true, WAIT, SIGNAL.minusSeconds(600), SIGNAL.plusSeconds(10),
            Optional.of(SIGNAL.plus(WAIT))),
        Arguments.of("no checkpoint yet: waits too", unhealthy(SIGNAL), true, WAIT, null, SIGNAL.plusSeconds(10),
            Optional.of(SIGNAL.plus(WAIT))),
        Arguments.of("a checkpoint after the signal ends the wait", unhealthy(SIGNAL), true, WAIT, SIGNAL.plusSeconds(30),
            SIGNAL.plusSeconds(31), Optional.empty()),
        Arguments.of("the wait has run out", unhealthy(SIGNAL), true, WAIT, SIGNAL.minusSeconds(600), SIGNAL.plus(WAIT),
            Optional.empty()),
        Arguments.of("a rank already failed: the collective is broken", unhealthy(SIGNAL), false, WAIT, null, SIGNAL.plusSeconds(10),
            Optional.empty()),
        Arguments.of("no wait configured", unhealthy(SIGNAL), true, Duration.ZERO, null, SIGNAL.plusSeconds(10), Optional.empty()),
        Arguments.of("signal time unknown (only the taint shows it)", unhealthy(null), true, WAIT, null, SIGNAL.plusSeconds(10),
            Optional.empty()),
        Arguments.of("not a health signal: a rank exited", crashed(), true, WAIT, null, SIGNAL.plusSeconds(10), Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void holdsTheProactiveRestart(String name, Classification c, boolean gangRunning, Duration wait, Instant lastCheckpoint, Instant now,
                                Optional<Instant> expected) {
    assertThat(CheckpointWait.holdUntil(c, gangRunning, wait, lastCheckpoint, now)).isEqualTo(expected);
  }
}
