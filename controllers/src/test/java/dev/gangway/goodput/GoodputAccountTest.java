package dev.gangway.goodput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.GoodputStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One job of 8 GPUs placed at t=0 s; each row drives its account through attempts, failures and checkpoints. */
class GoodputAccountTest {
  private static final int GPUS = 8;

  private static Instant t(long seconds) {
    return Instant.parse("2026-12-01T00:00:00Z").plusSeconds(seconds);
  }

  private static GoodputAccount placedAt0() {
    return GoodputAccount.opened(t(0));
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        row("first start 20 s, then running 100 s with no checkpoint yet: all of it useful so far, all of it at risk",
            a -> a.charge(Bucket.RESTART, GPUS, t(20)).charge(Bucket.USEFUL, GPUS, t(120)).running(t(20), null, GPUS, t(120)),
            Map.of(Bucket.USEFUL, 800L, Bucket.RESTART, 160L), 800, 0.8333),
        row("running 100 s, checkpoint at 60 s: 40 s at risk",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).running(t(0), t(60), GPUS, t(100)),
            Map.of(Bucket.USEFUL, 800L), 320, 1.0),
        row("checkpoint at 60 s, failure at 100 s, noticed at 110 s: 40 s of work and 10 s of detection lost",
            a -> a.charge(Bucket.USEFUL, GPUS, t(110)).end(new AttemptEnd(t(0), t(60), t(100), t(110)), GPUS, t(110)),
            Map.of(Bucket.USEFUL, 480L, Bucket.LOST_WORK, 320L, Bucket.DETECTION, 80L), 0, 0.5455),
        row("failure with no checkpoint: the whole attempt is lost",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(0), null, t(100), t(100)), GPUS, t(100)),
            Map.of(Bucket.LOST_WORK, 800L), 0, 0.0),
        row("restart decided a second after it was noticed: that second is restart time",
            a -> a.charge(Bucket.USEFUL, GPUS, t(101)).end(new AttemptEnd(t(0), t(100), t(100), t(100)), GPUS, t(101)),
            Map.of(Bucket.USEFUL, 800L, Bucket.RESTART, 8L), 0, 0.9901),
        row("an older attempt's checkpoint before this attempt's start keeps nothing of it",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(50), t(10), t(100), t(100)), GPUS, t(100)),
            Map.of(Bucket.USEFUL, 400L, Bucket.LOST_WORK, 400L), 0, 0.5),
        row("full cycle: run, fail, back off 30 s, wait 20 s for capacity, run 50 s",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(0), t(60), t(95), t(100)), GPUS, t(100))
                .charge(Bucket.RESTART, GPUS, t(130)).charge(Bucket.WAITING_CAPACITY, GPUS, t(150))
                .charge(Bucket.USEFUL, GPUS, t(200)).running(t(150), null, GPUS, t(200)),
            Map.of(Bucket.USEFUL, 880L, Bucket.LOST_WORK, 280L, Bucket.DETECTION, 40L, Bucket.RESTART, 240L, Bucket.WAITING_CAPACITY, 160L),
            400, 0.55),
        row("suspended at 100 s (no failure time): work since the checkpoint is lost, no detection",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(0), t(70), null, null), GPUS, t(100)),
            Map.of(Bucket.USEFUL, 560L, Bucket.LOST_WORK, 240L), 0, 0.7),
        row("time not held (queued, suspended, finished) passes uncharged",
            a -> a.charge(Bucket.USEFUL, GPUS, t(10)).charge(null, GPUS, t(1000)).charge(Bucket.USEFUL, GPUS, t(1010)),
            Map.of(Bucket.USEFUL, 160L), 0, 1.0),
        row("clock skew: a failure stamped before the attempt started counts from its start; all of it detection",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(50), null, t(20), t(100)), GPUS, t(100)),
            Map.of(Bucket.USEFUL, 400L, Bucket.DETECTION, 400L), 0, 0.5),
        row("clock skew: a checkpoint stamped in the future leaves nothing at risk",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).running(t(0), t(500), GPUS, t(100)),
            Map.of(Bucket.USEFUL, 800L), 0, 1.0),
        row("clock skew: detection stamped before the failure counts as none",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(0), t(100), t(100), t(90)), GPUS, t(100)),
            Map.of(Bucket.USEFUL, 800L), 0, 1.0),
        row("clock skew: the operator's clock going back charges nothing",
            a -> a.charge(Bucket.USEFUL, GPUS, t(100)).charge(Bucket.USEFUL, GPUS, t(40)).charge(Bucket.USEFUL, GPUS, t(110)),
            Map.of(Bucket.USEFUL, 880L), 0, 1.0),
        row("a failure's share never takes more than useful holds (an account opened mid-attempt)",
            a -> a.charge(Bucket.USEFUL, GPUS, t(10)).end(new AttemptEnd(t(-1000), null, t(10), t(10)), GPUS, t(10)),
            Map.of(Bucket.LOST_WORK, 80L), 0, 0.0),
        row("restarted in place at 100 s, resumed from the checkpoint of 60 s, checkpoint again at 130 s: 40 s lost, the rest kept",
            a -> a.charge(Bucket.USEFUL, GPUS, t(140)).restartedInPlace(t(0), t(60), t(100), t(130), GPUS).running(t(0), t(130), GPUS, t(140)),
            Map.of(Bucket.USEFUL, 800L, Bucket.LOST_WORK, 320L), 80, 0.7143),
        row("an in-place restart's loss never takes more than useful holds",
            a -> a.charge(Bucket.USEFUL, GPUS, t(10)).restartedInPlace(t(-1000), null, t(10), null, GPUS),
            Map.of(Bucket.LOST_WORK, 80L), 0, 0.0),
        row("a CPU-only job holds no GPU-seconds: no ratio",
            a -> a.charge(Bucket.USEFUL, 0, t(100)), Map.of(), 0, null),
        row("placed just now: nothing held yet, no ratio", a -> a, Map.of(), 0, null));
  }

  private static Arguments row(String name, Function<GoodputAccount, GoodputAccount> steps, Map<Bucket, Long> expected,
                               long sinceCheckpoint, Double ratio) {
    return Arguments.of(name, steps, expected, sinceCheckpoint, ratio);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void accounts(String name, Function<GoodputAccount, GoodputAccount> steps, Map<Bucket, Long> expected, long sinceCheckpoint,
                Double ratio) {
    GoodputAccount account = steps.apply(placedAt0());
    for (Bucket b : GoodputAccount.OBSERVED) {
      assertThat(account.get(b)).as(b.label()).isEqualTo(expected.getOrDefault(b, 0L));
    }
    assertThat(account.sinceCheckpoint()).as("since checkpoint").isEqualTo(sinceCheckpoint);
    assertThat(account.ratio()).as("ratio").isEqualTo(ratio);
    assertThat(account.held()).isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void theStatusRoundTripsAndSaysWhenItWasComputed() {
    GoodputAccount account = placedAt0().charge(Bucket.USEFUL, GPUS, t(100)).end(new AttemptEnd(t(0), t(60), t(90), t(95)), GPUS, t(100))
        .charge(Bucket.WAITING_CAPACITY, GPUS, t(120));
    GoodputStatus status = account.toStatus();
    assertThat(status.getUpdatedTime()).isEqualTo("2026-12-01T00:02:00Z");
    assertThat(status.getHeldGpuSeconds()).isEqualTo(960);
    assertThat(status.getLostGpuSeconds().getLostWork()).isEqualTo(240);
    assertThat(status.getLostGpuSeconds().getDetection()).isEqualTo(40);
    assertThat(status.getLostGpuSeconds().getRestart()).isEqualTo(40);
    assertThat(status.getLostGpuSeconds().getWaitingForCapacity()).isEqualTo(160);
    assertThat(GoodputAccount.of(status, t(999)).toStatus()).isEqualTo(status);
  }

  @Test
  void aMalformedStoredTimeCountsFromTheFallbackInsteadOfFailing() {
    GoodputStatus status = placedAt0().charge(Bucket.USEFUL, GPUS, t(10)).toStatus();
    status.setUpdatedTime("yesterday");
    assertThat(GoodputAccount.of(status, t(50)).charge(Bucket.USEFUL, GPUS, t(60)).get(Bucket.USEFUL)).isEqualTo(80 + 80);
  }

  /** Conservation, as the simulator checks it: held is useful plus every loss, and no bucket goes negative, whatever happens. */
  @Test
  void heldIsAlwaysUsefulPlusEveryLossOnRandomHistories() {
    Random random = new Random(13);
    for (int run = 0; run < 200; run++) {
      GoodputAccount account = placedAt0();
      long now = 0;
      long runningSince = 0;
      for (int step = 0; step < 40; step++) {
        long next = now + random.nextInt(600) - 60;
        switch (random.nextInt(5)) {
          case 0 -> account = account.charge(Bucket.USEFUL, GPUS, t(next)).running(t(runningSince), t(now - random.nextInt(900)), GPUS, t(next));
          case 1 -> {
            account = account.charge(Bucket.USEFUL, GPUS, t(next)).end(new AttemptEnd(t(runningSince + random.nextInt(300) - 100),
                random.nextBoolean() ? null : t(now - random.nextInt(300)), t(next - random.nextInt(400)), t(next - random.nextInt(200))),
                GPUS, t(next));
            runningSince = next + random.nextInt(300);
          }
          case 2 -> account = account.charge(random.nextBoolean() ? Bucket.RESTART : Bucket.WAITING_CAPACITY, GPUS, t(next));
          case 3 -> account = account.charge(Bucket.USEFUL, GPUS, t(next))
              .restartedInPlace(t(runningSince), t(now - random.nextInt(900)), t(next - random.nextInt(300)), null, GPUS);
          default -> account = account.charge(null, GPUS, t(next));
        }
        now = Math.max(now, next);
        GoodputStatus s = account.toStatus();
        long lost = s.getLostGpuSeconds().getLostWork() + s.getLostGpuSeconds().getDetection() + s.getLostGpuSeconds().getRestart()
            + s.getLostGpuSeconds().getWaitingForCapacity();
        assertThat(s.getHeldGpuSeconds()).isEqualTo(s.getUsefulGpuSeconds() + lost);
        assertThat(GoodputAccount.OBSERVED).allSatisfy(b -> assertThat(GoodputAccount.of(s, t(0)).get(b)).isNotNegative());
        assertThat(s.getSinceCheckpointGpuSeconds()).isBetween(0L, s.getUsefulGpuSeconds());
        if (s.getRatio() != null) {
          assertThat(s.getRatio()).isBetween(0.0, 1.0);
        }
      }
    }
  }
}
