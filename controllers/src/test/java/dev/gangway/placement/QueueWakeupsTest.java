package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which waiting gangs freed capacity wakes: one row per rule, gangs written as "key:priority:age:ranks×gpus". */
class QueueWakeupsTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("nobody waits: nobody to wake", List.of(), 64, 16, List.of()),
        Arguments.of("the head fits in what is free: woken", List.of("a:0:1:2x8"), 16, 16, List.of("a")),
        Arguments.of("a gang asking for more than is free anywhere stays asleep", List.of("a:0:1:4x8"), 16, 16, List.of()),
        Arguments.of("no GPU free: only gangs asking for none are woken", List.of("a:0:1:1x8", "cpu:0:2:3x0"), 0, 16, List.of("cpu")),
        Arguments.of("queue order, not the stored one: priority first", List.of("low:0:1:1x8", "high:10:2:1x8"), 64, 16,
            List.of("high", "low")),
        Arguments.of("then the older gang", List.of("young:0:1:1x8", "old:0:5:1x8"), 64, 16, List.of("old", "young")),
        Arguments.of("a big head that cannot fit does not hide the small gangs behind it", List.of("big:0:9:72x4", "s1:0:2:2x4",
            "s2:0:1:1x4"), 16, 16, List.of("s1", "s2")),
        Arguments.of("each gang is judged alone against what is free: both may try", List.of("a:0:2:2x8", "b:0:1:2x8"), 16, 16,
            List.of("a", "b")),
        Arguments.of("at most the limit, the first in queue order", List.of("a:0:3:1x1", "b:0:2:1x1", "c:0:1:1x1"), 64, 2,
            List.of("a", "b")),
        Arguments.of("the limit counts only the gangs woken", List.of("big:0:3:9x8", "b:0:2:1x1", "c:0:1:1x1"), 8, 2,
            List.of("b", "c")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void wakesTheFirstGangsInQueueOrderThatFitInWhatIsFree(String rule, List<String> gangs, long freeGpus, int limit, List<String> woken) {
    List<QueuedGang> waiting = gangs.stream().map(QueueWakeupsTest::gang).toList();
    assertThat(QueueWakeups.toWake(waiting, freeGpus, limit)).isEqualTo(woken.stream().map(k -> "ns/" + k).toList());
  }

  /** "key:priority:minutes waiting:ranks×gpus per rank". */
  private static QueuedGang gang(String spec) {
    String[] f = spec.split(":");
    String[] size = f[3].split("x");
    String key = "ns/" + f[0];
    Instant created = T0.minusSeconds(60L * Integer.parseInt(f[2]));
    return new QueuedGang(key, Integer.parseInt(f[1]), created, created, Clusters.THREE_LEVELS,
        GangRequest.builder(key).replicas(Integer.parseInt(size[0])).gpusPerRank(Integer.parseInt(size[1])).build());
  }
}
