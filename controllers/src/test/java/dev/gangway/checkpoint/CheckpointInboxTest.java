package dev.gangway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CheckpointInboxTest {
  static final Instant T = Instant.parse("2026-11-02T10:00:00Z");

  static CheckpointReport report(String uid, int attempt, long step) {
    return new CheckpointReport("ml", "job-" + uid, uid, attempt, step, "/ckpt/" + step, T);
  }

  @Test
  void keepsTheNewestReportPerJobAndTellsListeners() {
    CheckpointInbox inbox = new CheckpointInbox(100);
    List<ResourceRef> told = new ArrayList<>();
    inbox.addListener(told::add);
    assertThat(inbox.offer(report("a", 1, 100)).accepted()).isTrue();
    assertThat(inbox.offer(report("a", 1, 200)).accepted()).isTrue();
    CheckpointInbox.Offer stale = inbox.offer(report("a", 1, 150));
    assertThat(stale.accepted()).isFalse();
    assertThat(stale.reason()).contains("not newer").contains("step 200");
    assertThat(inbox.latest("a")).get().extracting(CheckpointReport::step).isEqualTo(200L);
    assertThat(told).containsExactly(new ResourceRef("ml", "job-a"), new ResourceRef("ml", "job-a"));
  }

  @Test
  void aNewerAttemptWinsEvenWithALowerStep() {
    CheckpointInbox inbox = new CheckpointInbox(100);
    inbox.offer(report("a", 1, 1200));
    assertThat(inbox.offer(report("a", 2, 1100)).accepted()).isTrue();
    assertThat(inbox.offer(report("a", 1, 1300)).accepted()).as("late report of the torn-down attempt").isFalse();
  }

  @Test
  void duplicatesAreRejected() {
    CheckpointInbox inbox = new CheckpointInbox(100);
    inbox.offer(report("a", 1, 100));
    assertThat(inbox.offer(report("a", 1, 100)).accepted()).isFalse();
  }

  @Test
  void jobsAreIndependentAndBoundedByCapacity() {
    CheckpointInbox inbox = new CheckpointInbox(2);
    inbox.offer(report("a", 1, 1));
    inbox.offer(report("b", 1, 1));
    inbox.latest("a");
    inbox.offer(report("c", 1, 1));
    assertThat(inbox.latest("b")).as("least recently used is dropped").isEmpty();
    assertThat(inbox.latest("a")).isPresent();
    inbox.forget("a");
    assertThat(inbox.latest("a")).isEmpty();
  }

  @Test
  void aFailingListenerDoesNotLoseTheReport() {
    CheckpointInbox inbox = new CheckpointInbox(10);
    inbox.addListener(ref -> {
      throw new IllegalStateException("boom");
    });
    assertThat(inbox.offer(report("a", 1, 1)).accepted()).isTrue();
    assertThat(inbox.latest("a")).isPresent();
  }

  @Test
  void concurrentOffersKeepTheHighestStep() throws InterruptedException {
    CheckpointInbox inbox = new CheckpointInbox(10);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 4; t++) {
      int offset = t;
      pool.submit(() -> {
        start.await();
        for (int step = offset; step < 4000; step += 4) {
          inbox.offer(report("a", 1, step));
        }
        return null;
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(inbox.latest("a")).get().extracting(CheckpointReport::step).isEqualTo(3999L);
  }
}
