package dev.gangway.pod;

import dev.gangway.act.RankPodBuilder;
import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** kube-scheduler's reason, without the clause Gangway's own pin to one node causes. */
class SchedulerMessageTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0/16 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 15 node(s) didn't match Pod's node affinity/selector. preemption: 0/16 nodes are available: 16 Preemption is not helpful for scheduling. | 0/16 nodes are available: 1 node(s) didn't match pod anti-affinity rules
      0/3 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 1 Insufficient example.com/fpga.                                                                                           | 0/3 nodes are available: 1 Insufficient example.com/fpga
      0/3 nodes are available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't match Pod's node affinity/selector.                                                                             | 0/3 nodes are available: 1 node(s) had volume node affinity conflict
      0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.                                                                                                                           | 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.
      pod has unbound immediate PersistentVolumeClaims                                                                                                                                                         | pod has unbound immediate PersistentVolumeClaims
      """)
  void keepsTheConstraintOnTheReservedNode(String scheduler, String expected) {
    assertThat(SchedulerMessage.whyUnbound(unschedulable(scheduler))).isEqualTo(expected);
  }

  @Test
  void aPodKubeSchedulerHasNotJudgedYetSaysSo() {
    Pod pod = RankPodBuilder.build(TestJobs.job("llm", 1, 8), 0, 1, null);
    assertThat(SchedulerMessage.whyUnbound(pod)).isEqualTo(SchedulerMessage.NO_REASON);
    pod.setStatus(new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("True")
        .endCondition().build());
    assertThat(SchedulerMessage.whyUnbound(pod)).isEqualTo(SchedulerMessage.NO_REASON);
  }

  private static Pod unschedulable(String message) {
    Pod pod = RankPodBuilder.build(TestJobs.job("llm", 1, 8), 0, 1, null);
    pod.setStatus(new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
        .withReason("Unschedulable").withMessage(message).endCondition().build());
    return pod;
  }
}
