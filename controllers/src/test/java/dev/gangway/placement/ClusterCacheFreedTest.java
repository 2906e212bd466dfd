package dev.gangway.placement;

import static dev.gangway.placement.SnapshotFactoryTest.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When the cache says capacity was freed, which wakes waiting gangs: only when a pod stops holding capacity or a node
 * opens up — never for a pod created, placed or bound, so placing a gang (or failing to) wakes nobody by itself.
 */
class ClusterCacheFreedTest {

  private int told;
  private final ClusterCache cache = new ClusterCache(() -> told++);

  static Stream<Arguments> podChanges() {
    Pod gated = pod("r0", "a", null, "Pending", null, "8", "1");
    Pod reserved = pod("r0", "a", null, "Pending", "n1", "8", "1");
    Pod bound = pod("r0", "a", "n1", "Pending", null, "8", "1");
    Pod running = pod("r0", "a", "n1", "Running", null, "8", "1");
    Pod succeeded = pod("r0", "a", "n1", "Succeeded", null, "8", "1");
    Pod failed = pod("r0", "a", "n1", "Failed", null, "8", "1");
    return Stream.of(
        Arguments.of("a pod created gated holds nothing", null, gated, false),
        Arguments.of("a pod created placed takes capacity", null, reserved, false),
        Arguments.of("placing a gated pod takes capacity", gated, reserved, false),
        Arguments.of("a placed pod bound keeps its capacity", reserved, bound, false),
        Arguments.of("a bound pod starts running", bound, running, false),
        Arguments.of("a status update of a running pod", running, withLabel(running), false),
        Arguments.of("a running pod succeeds", running, succeeded, true),
        Arguments.of("a running pod fails", running, failed, true),
        Arguments.of("an ended pod changes again", succeeded, withLabel(succeeded), false),
        Arguments.of("a placed pod loses its placement", reserved, gated, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("podChanges")
  void aPodChangeFreesCapacityOnlyWhenThePodStopsHoldingIt(String change, Pod before, Pod after, boolean freed) {
    cache.put(node("n1", true, false));
    if (before != null) cache.put(before);
    told = 0;
    cache.put(after);
    assertThat(told > 0).as(change).isEqualTo(freed);
  }

  static Stream<Arguments> podDeletions() {
    return Stream.of(
        Arguments.of("a running pod deleted", pod("r0", "a", "n1", "Running", null, "8", "1"), true),
        Arguments.of("a placed pod not bound yet deleted", pod("r0", "a", null, "Pending", "n1", "8", "1"), true),
        Arguments.of("a gated pod deleted", pod("r0", "a", null, "Pending", null, "8", "1"), false),
        Arguments.of("an ended pod deleted", pod("r0", "a", "n1", "Succeeded", null, "8", "1"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("podDeletions")
  void aDeletedPodFreesCapacityOnlyIfItHeldSome(String change, Pod pod, boolean freed) {
    cache.put(node("n1", true, false));
    cache.put(pod);
    told = 0;
    cache.removePod(SnapshotFactory.podKey(pod));
    assertThat(told > 0).as(change).isEqualTo(freed);
  }

  static Stream<Arguments> nodeChanges() {
    Node ready = node("n1", true, false);
    return Stream.of(
        Arguments.of("a Ready node added", null, ready, true),
        Arguments.of("a NotReady node added", null, node("n1", false, false), false),
        Arguments.of("a cordoned node added", null, node("n1", true, true), false),
        Arguments.of("a heartbeat", ready, node("n1", true, false), false),
        Arguments.of("Ready again", node("n1", false, false), ready, true),
        Arguments.of("gone NotReady", ready, node("n1", false, false), false),
        Arguments.of("uncordoned", node("n1", true, true), ready, true),
        Arguments.of("cordoned", ready, node("n1", true, true), false),
        Arguments.of("a taint lifted", tainted(ready), ready, true),
        Arguments.of("a taint added", ready, tainted(ready), false),
        Arguments.of("more GPUs", ready, edit(ready, n -> n.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("16"))), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodeChanges")
  void aNodeChangeFreesCapacityWhenTheNodeOpensUp(String change, Node before, Node after, boolean freed) {
    if (before != null) cache.put(before);
    told = 0;
    cache.put(after);
    assertThat(told > 0).as(change).isEqualTo(freed);
  }

  @Test
  void freeGpusCountReadySchedulableNodesTaintedOrNotLessWhatPlacedPodsReserve() {
    cache.put(node("n1", true, false));
    cache.put(tainted(node("n2", true, false)));
    cache.put(node("n3", false, false));
    cache.put(node("n4", true, true));
    cache.put(pod("run", "a", "n1", "Running", null, "3", "1"));
    cache.put(pod("placed", "b", null, "Pending", "n2", "2", "1"));
    cache.put(pod("done", "c", "n2", "Succeeded", null, "8", "1"));
    assertThat(cache.freeGpus()).isEqualTo(8 - 3 + 8 - 2);
  }

  private static Node node(String name, boolean ready, boolean cordoned) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name)
        .addToLabels(Clusters.RACK, "r1").endMetadata().withNewSpec().withUnschedulable(cordoned).endSpec()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("8")).addToAllocatable("cpu", new Quantity("64"))
        .addToAllocatable("memory", new Quantity("512Gi")).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
        .endCondition().endStatus().build();
  }

  private static Node tainted(Node node) {
    return edit(node, n -> n.getSpec().setTaints(List.of(new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("gpu")
        .withValue("bad").withEffect("NoSchedule").build())));
  }

  private static Node edit(Node node, Consumer<Node> change) {
    Node copy = new NodeBuilder(node).build();
    change.accept(copy);
    return copy;
  }

  private static Pod withLabel(Pod pod) {
    return new PodBuilder(pod).editMetadata().addToLabels("seen", "again").endMetadata().build();
  }
}
