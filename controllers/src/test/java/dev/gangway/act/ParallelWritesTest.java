package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelWritesTest {

  @Test
  void everyItemIsWrittenOnceAndAFailureIsRethrownOnlyAfterAllWereTried() {
    Set<Integer> written = ConcurrentHashMap.newKeySet();
    AtomicInteger calls = new AtomicInteger();
    List<Integer> items = IntStream.range(0, 100).boxed().toList();
    assertThatThrownBy(() -> ParallelWrites.forEach(items, i -> {
      calls.incrementAndGet();
      if (i % 7 == 0) throw new IllegalStateException("refused " + i);
      written.add(i);
    })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("refused ");
    assertThat(calls.get()).isEqualTo(100);
    assertThat(written).hasSize(100 - 15);
  }

  @Test
  void aSmallGangsWritesDoNotQueueBehindALargeGangsStillInFlight() throws Exception {
    // A large gang whose writes all block until released: in one shared first-come pool the small gang's writes waited.
    CountDownLatch release = new CountDownLatch(1);
    Thread large = new Thread(() -> ParallelWrites.forEach(IntStream.range(0, 200).boxed().toList(), i -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    large.start();
    try {
      CountDownLatch small = new CountDownLatch(2);
      Thread smallGang = new Thread(() -> ParallelWrites.forEach(List.of(1, 2), i -> small.countDown()));
      smallGang.start();
      // Not a time limit on the writes: the large gang holds every one of its writers until released, so the small
      // gang's writes can only be done before that if they do not wait for its writers.
      assertThat(small.await(20, TimeUnit.SECONDS)).as("the small gang's writes done while the large gang's still block").isTrue();
      assertThat(release.getCount()).isEqualTo(1);
    } finally {
      release.countDown();
      large.join();
    }
  }

  @Test
  void atMostSixteenWritesOfOneCallAreInFlight() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ParallelWrites.forEach(IntStream.range(0, 200).boxed().toList(), i -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      Thread.onSpinWait();
      inFlight.decrementAndGet();
    });
    assertThat(most.get()).isBetween(1, ParallelWrites.PER_CALL);
  }
}
