package dev.gangway.signal;

import dev.gangway.checkin.IntakeAnswer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IntakeRateLimitTest {
  private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");

  @Test
  void aClientGetsItsBurstThenWaitsForTheRefill() {
    IntakeRateLimit limit = new IntakeRateLimit(2, 3, 100);
    for (int i = 0; i < 3; i++) {
      assertThat(limit.take("10.0.0.1", T0)).as("request %d", i).isEmpty();
    }
    assertThat(limit.take("10.0.0.1", T0)).contains(Duration.ofMillis(500));
    // Half a second later one token is back, and only one.
    assertThat(limit.take("10.0.0.1", T0.plusMillis(500))).isEmpty();
    assertThat(limit.take("10.0.0.1", T0.plusMillis(500))).isPresent();
  }

  @Test
  void clientsHaveTheirOwnBuckets() {
    IntakeRateLimit limit = new IntakeRateLimit(1, 1, 100);
    assertThat(limit.take("a", T0)).isEmpty();
    assertThat(limit.take("a", T0)).isPresent();
    assertThat(limit.take("b", T0)).isEmpty();
  }

  @Test
  void aLongPauseRefillsNoMoreThanTheBurst() {
    IntakeRateLimit limit = new IntakeRateLimit(10, 2, 100);
    limit.take("a", T0);
    Instant later = T0.plus(Duration.ofHours(1));
    assertThat(limit.take("a", later)).isEmpty();
    assertThat(limit.take("a", later)).isEmpty();
    assertThat(limit.take("a", later)).isPresent();
  }

  @Test
  void aClockGoingBackGivesNoTokens() {
    IntakeRateLimit limit = new IntakeRateLimit(1, 1, 100);
    assertThat(limit.take("a", T0)).isEmpty();
    assertThat(limit.take("a", T0.minusSeconds(30))).isPresent();
  }

  @Test
  void theTableForgetsTheLeastRecentlySeenClientBeyondItsSize() {
    IntakeRateLimit limit = new IntakeRateLimit(1, 1, 2);
    limit.take("a", T0);
    limit.take("b", T0);
    limit.take("c", T0); // a is forgotten: it starts again with a full bucket
    assertThat(limit.take("a", T0)).isEmpty();
    assertThat(limit.take("c", T0)).isPresent();
  }

  @Test
  void retryAfterIsWholeSecondsAtLeastOneAndTheMessageSaysIt() {
    assertThat(IntakeRateLimit.retryAfterSeconds(Duration.ofMillis(10))).isEqualTo(1);
    assertThat(IntakeRateLimit.retryAfterSeconds(Duration.ofMillis(1500))).isEqualTo(2);
    IntakeAnswer answer = IntakeRateLimit.tooMany("10.0.0.1", Duration.ofMillis(1500));
    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.message()).contains("10.0.0.1", "retry after 2 s");
    assertThat(answer.retryable()).isFalse();
  }

  @Test
  void nonsenseLimitsAreRefused() {
    assertThatThrownBy(() -> new IntakeRateLimit(0, 1, 1)).hasMessageContaining("perSecond > 0");
  }
}
