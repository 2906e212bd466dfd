package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The controller's background threads live exactly as long as the controller: started with it, ended with it. */
class HousekeepingTest {
  private static final Duration SOON = Duration.ofSeconds(5);

  @Test
  void choresRunOnlyBetweenStartAndStopAndTheirThreadEnds() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    AtomicInteger stopped = new AtomicInteger();
    Housekeeping housekeeping = new Housekeeping("housekeeping").every(Duration.ofMillis(10), Duration.ZERO, () -> {
      ranOn.set(Thread.currentThread());
      runs.incrementAndGet();
    }).alsoStops(stopped::incrementAndGet);

    Thread.sleep(50);
    assertThat(runs).as("runs before the controller starts").hasValue(0);

    housekeeping.start();
    await().atMost(SOON).until(() -> runs.get() >= 3);
    assertThat(ranOn.get().getName()).isEqualTo("gangway-housekeeping");

    housekeeping.stop();
    await().atMost(SOON).until(() -> !ranOn.get().isAlive());
    int atStop = runs.get();
    Thread.sleep(50);
    assertThat(runs).as("runs after the controller stopped").hasValue(atStop);
    assertThat(stopped).hasValue(1);
    assertThat(housekeeping.isRunning()).isFalse();
  }

  @Test
  void aChoreAddedWhileRunningIsScheduledAndAStartAfterAStopRunsThemAgain() {
    AtomicInteger late = new AtomicInteger();
    Housekeeping housekeeping = new Housekeeping("housekeeping");
    housekeeping.start();
    housekeeping.every(Duration.ofMillis(10), Duration.ZERO, late::incrementAndGet);
    await().atMost(SOON).until(() -> late.get() >= 1);
    housekeeping.stop();

    int atStop = late.get();
    housekeeping.start();
    await().atMost(SOON).until(() -> late.get() > atStop);
    housekeeping.stop();
  }

  @Test
  void aChoreOnItsOwnThreadThatHangsHoldsUpNoOtherChoreAndItsThreadEndsAtStop() throws Exception {
    AtomicInteger shared = new AtomicInteger();
    AtomicReference<Thread> hung = new AtomicReference<>();
    CountDownLatch never = new CountDownLatch(1);
    Housekeeping housekeeping = new Housekeeping("housekeeping")
        .everyOnItsOwnThread("gangway-orphan-sweep", Duration.ofMillis(10), Duration.ZERO, () -> {
          hung.set(Thread.currentThread());
          try {
            never.await(); // an API server that does not answer
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        })
        .every(Duration.ofMillis(10), Duration.ZERO, shared::incrementAndGet);

    housekeeping.start();
    await().atMost(SOON).until(() -> hung.get() != null);
    int before = shared.get();
    await().atMost(SOON).until(() -> shared.get() >= before + 3);
    assertThat(hung.get().getName()).isEqualTo("gangway-orphan-sweep");

    housekeeping.stop();
    await().atMost(SOON).until(() -> !hung.get().isAlive());
  }

  @Test
  void freedCapacityWakesNoGangOnceStoppedAndTheWakeupThreadEnds() throws Exception {
    AtomicInteger rounds = new AtomicInteger();
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    FreedCapacityWakeups wakeups = new FreedCapacityWakeups();
    wakeups.freed();
    wakeups.start(new FreedCapacityWakeups.Round(List::of, () -> 8, () -> true, id -> { }, woken -> {
      ranOn.set(Thread.currentThread());
      rounds.incrementAndGet();
    }));
    wakeups.freed();
    await().atMost(SOON).until(() -> rounds.get() == 1);
    assertThat(ranOn.get().getName()).isEqualTo("gangway-queue-wakeups");

    wakeups.stop();
    await().atMost(SOON).until(() -> !ranOn.get().isAlive());
    wakeups.freed();
    Thread.sleep(50);
    assertThat(rounds).as("rounds: one before the stop, none after").hasValue(1);
  }
}
