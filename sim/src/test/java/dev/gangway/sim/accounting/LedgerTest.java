package dev.gangway.sim.accounting;

import dev.gangway.goodput.Bucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LedgerTest {

  @Test
  void progressIsPendingUntilACheckpointKeepsItOrAFailureLosesIt() {
    Ledger l = new Ledger();
    l.progress(100);
    assertThat(l.keep()).isEqualTo(100);
    l.progress(40);
    l.charge(Bucket.DETECTION, 7);
    assertThat(l.lose()).isEqualTo(40);
    assertThat(l.get(Bucket.USEFUL)).isEqualTo(100);
    assertThat(l.get(Bucket.LOST_WORK)).isEqualTo(40);
    assertThat(l.pending()).isZero();
    assertThat(l.total()).isEqualTo(147);
  }

  @Test
  void theTotalCountsPendingProgress() {
    Ledger l = new Ledger();
    l.charge(Bucket.RESTART, 5);
    l.progress(10);
    assertThat(l.total()).isEqualTo(15);
  }

  @Test
  void negativeSpansAreRefused() {
    Ledger l = new Ledger();
    assertThatThrownBy(() -> l.charge(Bucket.RESTART, -1)).hasMessageContaining("negative span");
    assertThatThrownBy(() -> l.progress(-1)).hasMessageContaining("negative progress");
  }
}
