package dev.gangway.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeadershipTest {

  @Test
  void anElectedReplicaRunsItsTakeoverActionsEachTimeItStartsLeading() {
    Leadership leadership = Leadership.elected();
    AtomicInteger takeovers = new AtomicInteger();
    leadership.whenLeading(takeovers::incrementAndGet);
    assertThat(leadership.isLeader()).isFalse();
    assertThat(takeovers).hasValue(0);

    leadership.startLeading();
    assertThat(leadership.isLeader()).isTrue();
    assertThat(takeovers).hasValue(1);

    leadership.stopLeading();
    assertThat(leadership.isLeader()).isFalse();
    leadership.startLeading();
    assertThat(takeovers).hasValue(2);
  }

  @Test
  void anActionAddedWhileLeadingRunsAtOnceAndAFailingOneDoesNotStopTheOthers() {
    Leadership leadership = Leadership.always();
    AtomicInteger ran = new AtomicInteger();
    leadership.whenLeading(() -> {
      throw new IllegalStateException("boom");
    });
    leadership.whenLeading(ran::incrementAndGet);
    assertThat(ran).hasValue(1);
    leadership.startLeading();
    assertThat(ran).hasValue(2);
  }
}
