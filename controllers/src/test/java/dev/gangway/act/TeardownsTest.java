package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TeardownsTest {
  private final Teardowns teardowns = new Teardowns();

  @Test
  void anAttemptIsDeletedOnceWhileItsDeletionIsUnderWayAndAgainAfterwards() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch first = new CountDownLatch(1);
    teardowns.start("ns/job/1", () -> {
      calls.incrementAndGet();
      first.countDown();
      await(release);
    });
    assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
    teardowns.start("ns/job/1", calls::incrementAndGet);
    assertThat(calls).hasValue(1);

    release.countDown();
    assertThat(acceptedAgain("ns/job/1")).isTrue();
  }

  /** The first deletion's completion is asynchronous: start again until a new deletion runs. */
  private boolean acceptedAgain(String key) throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ran.getCount() > 0 && System.nanoTime() < deadline) {
      teardowns.start(key, ran::countDown);
      Thread.sleep(10);
    }
    return ran.getCount() == 0;
  }

  @Test
  void differentAttemptsAreIndependent() throws InterruptedException {
    CountDownLatch both = new CountDownLatch(2);
    CountDownLatch hold = new CountDownLatch(1);
    teardowns.start("ns/job/1", () -> {
      both.countDown();
      await(hold);
    });
    teardowns.start("ns/job/2", both::countDown);
    assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();
    hold.countDown();
  }

  @Test
  void aFailedDeletionIsAcceptedAgain() throws InterruptedException {
    teardowns.start("ns/job/1", () -> {
      throw new IllegalStateException("API server unavailable");
    });
    assertThat(acceptedAgain("ns/job/1")).isTrue();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
