package dev.gangway.sim.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class EventLoopTest {

  static List<Arguments> schedules() {
    return List.of(
        Arguments.of("in time order whatever the scheduling order", new long[] {30, 10, 20}, "b@10 c@20 a@30"),
        Arguments.of("ties run in the order they were scheduled", new long[] {5, 5, 5}, "a@5 b@5 c@5"),
        Arguments.of("a tie after an earlier event keeps its place", new long[] {7, 1, 7}, "b@1 a@7 c@7"),
        Arguments.of("events past the end do not run", new long[] {1, 100, 2}, "a@1 c@2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schedules")
  void runsEventsInTimeThenSchedulingOrder(String why, long[] times, String expected) {
    EventLoop loop = new EventLoop();
    List<String> ran = new ArrayList<>();
    for (int i = 0; i < times.length; i++) {
      String name = String.valueOf((char) ('a' + i));
      loop.at(times[i], () -> ran.add(name + "@" + loop.now()));
    }
    loop.runUntil(50);
    assertThat(String.join(" ", ran)).isEqualTo(expected);
    assertThat(loop.now()).isEqualTo(50);
  }

  @Test
  void anEventScheduledForNowRunsAfterTheCurrentOneAtTheSameInstant() {
    EventLoop loop = new EventLoop();
    List<String> ran = new ArrayList<>();
    loop.at(10, () -> {
      ran.add("first@" + loop.now());
      loop.after(0, () -> ran.add("follow-up@" + loop.now()));
      loop.at(3, () -> ran.add("past-clamped@" + loop.now()));
    });
    loop.at(10, () -> ran.add("second@" + loop.now()));
    loop.runUntil(10);
    assertThat(ran).containsExactly("first@10", "second@10", "follow-up@10", "past-clamped@10");
    assertThat(loop.processed()).isEqualTo(4);
  }

  @Test
  void eventsLeftAfterTheEndRunOnTheNextCall() {
    EventLoop loop = new EventLoop();
    List<Long> ran = new ArrayList<>();
    loop.at(100, () -> ran.add(loop.now()));
    loop.runUntil(50);
    assertThat(ran).isEmpty();
    loop.runUntil(200);
    assertThat(ran).containsExactly(100L);
    assertThat(loop.now()).isEqualTo(200);
  }

  @Test
  void anEventScheduledLaterInAReservedPlaceRunsWhereItWouldHaveHadItBeenScheduledThen() {
    EventLoop loop = new EventLoop();
    List<String> ran = new ArrayList<>();
    long first = loop.reserve(2);
    loop.at(5, () -> ran.add("b@" + loop.now()));
    // Scheduled after b, at the same instant, but in a place reserved before it: it runs first, as if scheduled then.
    loop.at(1, first, () -> loop.at(5, first + 1, () -> ran.add("a@" + loop.now())));
    loop.at(5, () -> ran.add("c@" + loop.now()));
    loop.runUntil(10);
    assertThat(ran).containsExactly("a@5", "b@5", "c@5");
  }
}
