package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.health.NodeHealthRegistry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeFlagChangeTest {
  private static final String RF = NodeFlagChange.REPEATED_FAILURES;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a plain node", false, node(false, null, false, null), NodeFlagChange.NONE),
        Arguments.of("labelled when first seen: a flag from before this process", false, node(true, null, false, null), NodeFlagChange.RESTORE),
        Arguments.of("labelled, cordoned and tainted by Gangway when first seen", false, node(true, RF, true, RF), NodeFlagChange.RESTORE),
        Arguments.of("labelled as before", true, node(true, null, false, null), NodeFlagChange.NONE),
        Arguments.of("a label set by a person flags the node too", false, node(true, null, false, null), NodeFlagChange.RESTORE),
        Arguments.of("label removed, nothing else left", true, node(false, null, false, null), NodeFlagChange.LIFT),
        Arguments.of("label removed, Gangway's cordon left", true, node(false, RF, true, null), NodeFlagChange.LIFT_AND_UNFLAG),
        Arguments.of("label removed, Gangway's taint left", true, node(false, null, false, RF), NodeFlagChange.LIFT_AND_UNFLAG),
        Arguments.of("uncordoned by a person while labelled", true, node(true, RF, false, RF), NodeFlagChange.LIFT_AND_UNFLAG),
        Arguments.of("uncordoned by a person while this replica was down", false, node(true, RF, false, null), NodeFlagChange.LIFT_AND_UNFLAG),
        Arguments.of("cordoned for a health signal, uncordoned: not the flag's cordon", true, node(true, "XID-79", false, null),
            NodeFlagChange.NONE),
        Arguments.of("a taint for a health signal after the label went", true, node(false, null, false, "XID-79"), NodeFlagChange.LIFT),
        Arguments.of("never labelled, a health cordon", false, node(false, "XID-79", true, "XID-79"), NodeFlagChange.NONE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsTheFlagFromTheNode(String name, boolean wasLabelled, Node now, NodeFlagChange expected) {
    assertThat(NodeFlagChange.of(wasLabelled, now)).isEqualTo(expected);
  }

  /**
   * @param cordonReason the value of Gangway's cordon annotation, null for none
   * @param taintReason the value of Gangway's taint, null for none
   */
  private static Node node(boolean labelled, String cordonReason, boolean unschedulable, String taintReason) {
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName("gpu-1").endMetadata().withNewSpec().withUnschedulable(unschedulable).endSpec();
    if (labelled) {
      b.editMetadata().addToLabels(NodeFlagChange.FLAGGED, RF).endMetadata();
    }
    if (cordonReason != null) {
      b.editMetadata().addToAnnotations(NodeHealthRegistry.CORDONED_BY_GANGWAY, cordonReason).endMetadata();
    }
    if (taintReason != null) {
      b.editSpec().addNewTaint().withKey(NodeHealthRegistry.TAINT_KEY).withValue(taintReason).withEffect("NoSchedule").endTaint().endSpec();
    }
    return b.build();
  }
}
