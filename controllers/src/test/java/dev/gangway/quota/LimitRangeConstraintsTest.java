package dev.gangway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.LimitRangeItemBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LimitRangeConstraintsTest {

  private static LimitRange range(String name, LimitRangeItem... items) {
    return new LimitRangeBuilder().withNewMetadata().withName(name).withNamespace("team-a").endMetadata().withNewSpec()
        .withLimits(items).endSpec().build();
  }

  private static LimitRangeItemBuilder item(String type) {
    return new LimitRangeItemBuilder().withType(type);
  }

  /** A container with "resource=amount" requests and limits; null leaves them unset. */
  private static Container container(String name, String requests, String limits) {
    var b = new ContainerBuilder().withName(name).withNewResources().endResources();
    if (requests != null) {
      for (String r : requests.split(",")) {
        b.editResources().addToRequests(r.split("=")[0], new Quantity(r.split("=")[1])).endResources();
      }
    }
    if (limits != null) {
      for (String l : limits.split(",")) {
        b.editResources().addToLimits(l.split("=")[0], new Quantity(l.split("=")[1])).endResources();
      }
    }
    return b.build();
  }

  private static PodSpec pod(Container... containers) {
    return new PodSpecBuilder().withContainers(containers).build();
  }

  /**
   * The LimitRanger admission's rules, row by row: the template, the job's GPUs per rank, the LimitRanges, and what the
   * sentence says (null: admitted).
   */
  static Stream<Arguments> rows() {
    Container trainer4 = container("trainer", "cpu=4", "cpu=4");
    return Stream.of(
        Arguments.of("no LimitRange", pod(trainer4), 8, List.of(), null),
        Arguments.of("within min and max", pod(trainer4), 8,
            List.of(range("cpu", item("Container").addToMin("cpu", new Quantity("1")).addToMax("cpu", new Quantity("8")).build())), null),
        Arguments.of("limit over the max", pod(container("trainer", "cpu=1", "cpu=4")), 0,
            List.of(range("cpu", item("Container").addToMax("cpu", new Quantity("2")).build())),
            "LimitRange 'cpu' in namespace team-a refuses every rank pod: maximum cpu usage per Container is 2, but limit is 4 "
                + "(container 'trainer')"),
        Arguments.of("the max needs a limit, and no default gives one", pod(container("trainer", "cpu=1", null)), 0,
            List.of(range("cpu", item("Container").addToMax("cpu", new Quantity("2")).build())),
            "maximum cpu usage per Container is 2, but no limit is set (container 'trainer')"),
        Arguments.of("a LimitRange default limit fills in, then counts", pod(container("trainer", "cpu=1", null)), 0,
            List.of(range("cpu", item("Container").addToMax("cpu", new Quantity("2")).addToDefault("cpu", new Quantity("2")).build())),
            null),
        Arguments.of("request under the min (a limit alone requests itself)", pod(container("trainer", null, "memory=1Gi")), 0,
            List.of(range("mem", item("Container").addToMin("memory", new Quantity("4Gi")).build())),
            "minimum memory usage per Container is 4Gi, but request is 1Gi (container 'trainer')"),
        Arguments.of("the min needs a request", pod(container("trainer", null, null)), 0,
            List.of(range("mem", item("Container").addToMin("memory", new Quantity("4Gi")).build())),
            "minimum memory usage per Container is 4Gi, but no request is set (container 'trainer')"),
        Arguments.of("GPUs are the job's gpusPerReplica, not the template's", pod(container("trainer", null, "nvidia.com/gpu=2")), 8,
            List.of(range("gpu", item("Container").addToMax("nvidia.com/gpu", new Quantity("4")).build())),
            "maximum nvidia.com/gpu usage per Container is 4, but limit is 8 (container 'trainer')"),
        Arguments.of("limit-to-request ratio over the max", pod(container("trainer", "cpu=500m", "cpu=4")), 0,
            List.of(range("burst", item("Container").addToMaxLimitRequestRatio("cpu", new Quantity("2")).build())),
            "cpu max limit to request ratio per Container is 2, but limit 4 / request 500m is 8"),
        Arguments.of("the ratio needs a limit", pod(container("trainer", "cpu=1", null)), 0,
            List.of(range("burst", item("Container").addToMaxLimitRequestRatio("cpu", new Quantity("2")).build())),
            "cpu max limit to request ratio per Container is 2, but no limit is set or it is 0"),
        Arguments.of("every container is judged, init containers too",
            new PodSpecBuilder(pod(trainer4)).addToInitContainers(container("fetch", "cpu=16", "cpu=16")).build(), 0,
            List.of(range("cpu", item("Container").addToMax("cpu", new Quantity("8")).build())),
            "maximum cpu usage per Container is 8, but limit is 16 (init container 'fetch')"),
        Arguments.of("a Pod item sums the containers", pod(trainer4, container("sidecar", "cpu=2", "cpu=2")), 0,
            List.of(range("pod", item("Pod").addToMax("cpu", new Quantity("5")).build())),
            "maximum cpu usage per Pod is 5, but limit is 6 (the containers together)"),
        Arguments.of("a Pod item reads CPU set at pod level instead",
            new PodSpecBuilder(pod(trainer4, container("sidecar", "cpu=2", "cpu=2"))).withNewResources()
                .addToLimits("cpu", new Quantity("4")).endResources().build(), 0,
            List.of(range("pod", item("Pod").addToMax("cpu", new Quantity("5")).build())), null),
        Arguments.of("two LimitRanges both named", pod(container("trainer", "cpu=1", "cpu=4,memory=64Gi")), 0,
            List.of(range("b-mem", item("Container").addToMax("memory", new Quantity("32Gi")).build()),
                range("a-cpu", item("Container").addToMax("cpu", new Quantity("2")).build())),
            "LimitRanges 'a-cpu', 'b-mem' in namespace team-a refuse every rank pod: maximum cpu usage per Container is 2, but limit is 4 "
                + "(container 'trainer'); maximum memory usage per Container is 32Gi, but limit is 64Gi (container 'trainer')"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void judgesTheRankPodAsTheLimitRangerAdmissionDoes(String row, PodSpec template, int gpus, List<LimitRange> ranges, String says) {
    Optional<String> violated = LimitRangeConstraints.violated(template, gpus, ranges);
    if (says == null) {
      assertThat(violated).as(row).isEmpty();
    } else {
      assertThat(violated).as(row).hasValueSatisfying(s -> assertThat(s).contains(says)
          .endsWith("or ask for the LimitRange to be changed; no rank pod is created meanwhile"));
    }
  }

  @Test
  void manyBreachesAreCountedNotAllListed() {
    Container[] many = Stream.of("a", "b", "c", "d", "e", "f").map(n -> container(n, "cpu=4", "cpu=4")).toArray(Container[]::new);
    Optional<String> violated = LimitRangeConstraints.violated(pod(many), 0,
        List.of(range("cpu", item("Container").addToMax("cpu", new Quantity("2")).build())));
    assertThat(violated).hasValueSatisfying(s -> assertThat(s).contains("(container 'd'); and 2 more."));
  }

  @Test
  void amountsReadAsAPersonWritesThem() {
    assertThat(LimitRangeConstraints.show(new BigDecimal("0.5"))).isEqualTo("500m");
    assertThat(LimitRangeConstraints.show(new BigDecimal("4"))).isEqualTo("4");
    assertThat(LimitRangeConstraints.show(BigDecimal.valueOf(64L << 30))).isEqualTo("64Gi");
    assertThat(LimitRangeConstraints.show(BigDecimal.valueOf(1536))).isEqualTo("1536");
    assertThat(LimitRangeConstraints.show(new BigDecimal("0.0005"))).isEqualTo("0.0005");
  }
}
