package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TakeoversTest {
  private static final Instant T = Instant.parse("2026-12-07T12:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(15);

  @Test
  void onlyTakeoversWithoutAnApiServerRestartInTheirWindowAreHeldToTheTarget() {
    Takeovers takeovers = new Takeovers();
    // The API server was down from +100 s to +110 s of the run.
    List<Takeovers.Downtime> down = List.of(new Takeovers.Downtime(T.plusSeconds(100), T.plusSeconds(110)));

    takeovers.taken(T, T.plusMillis(14_400), LEASE, down);
    takeovers.taken(T.plusSeconds(20), T.plusMillis(20_000 + 17_500), LEASE, down);
    takeovers.taken(T.plusSeconds(95), T.plusSeconds(121), LEASE, down);
    takeovers.taken(T.plusSeconds(110), T.plusSeconds(126), LEASE, down);

    // The second (17.5 s) is the one clean takeover over 15 s + 2 s; the third and fourth met the restart.
    assertThat(takeovers.cleanCount()).isEqualTo(2);
    assertThat(takeovers.cleanOverTarget()).isEqualTo(1);
    assertThat(takeovers.render())
        .contains("without a kube-apiserver restart in the window: n=2 p50=14.4s p95=17.5s max=17.5s; within the Lease duration"
            + " + 2 s (17 s): 1 of 2")
        .contains("with one (no replica can take the Lease while the API server is down): n=2 p50=16.0s p95=26.0s max=26.0s");
  }

  @Test
  void killsWithNoTakeoverAreCountedAndToldApartByTheApiServer() {
    Takeovers takeovers = new Takeovers();
    List<Takeovers.Downtime> down = List.of(new Takeovers.Downtime(T.plusSeconds(300), T.plusSeconds(330)));

    takeovers.notSeen(T, T.plusSeconds(121), down);
    takeovers.notSeen(T.plusSeconds(250), T.plusSeconds(371), down);

    assertThat(takeovers.cleanCount()).isZero();
    assertThat(takeovers.render()).contains("leader kills with no takeover by the other replica within 120 s: 2 (1 of them beside a"
        + " kube-apiserver restart)").contains("without a kube-apiserver restart in the window: n=0\n");
  }
}
