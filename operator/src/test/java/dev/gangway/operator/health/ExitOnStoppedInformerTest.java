package dev.gangway.operator.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExitOnStoppedInformerTest {
  private final List<Integer> exits = new ArrayList<>();
  private final ExitOnStoppedInformer handler = new ExitOnStoppedInformer(exits::add);

  @SuppressWarnings("unchecked")
  private static SharedIndexInformer<TrainingJob> informerOf(Class<?> type) {
    return (SharedIndexInformer<TrainingJob>) Proxy.newProxyInstance(ExitOnStoppedInformerTest.class.getClassLoader(),
        new Class<?>[] {SharedIndexInformer.class}, (proxy, method, args) -> method.getName().equals("getApiTypeClass") ? type : null);
  }

  @Test
  void anInformerThatStoppedWithAnErrorEndsTheProcessWithCodeOne() {
    handler.onStop(informerOf(TrainingJob.class), new WatcherException("Overflow: numeric value (2147483648) out of range of int"));
    assertThat(exits).containsExactly(1);
  }

  @Test
  void theReasonNamesTheInnermostCauseOnOneLine() {
    var unreadable = new WatcherException("Unexpected exception processing watch event", new IllegalArgumentException(
        "Cannot deserialize value of type `java.lang.Integer`", new IllegalStateException("Overflow: numeric value (2147483648)\n"
            + " at [Source: UNKNOWN] (through reference chain: TrainingJob[\"spec\"]->FailurePolicy[\"checkpointWaitSeconds\"])")));

    assertThat(ExitOnStoppedInformer.reason(unreadable)).isEqualTo("WatcherException: Unexpected exception processing watch event;"
        + " caused by IllegalStateException: Overflow: numeric value (2147483648) at [Source: UNKNOWN] (through reference chain:"
        + " TrainingJob[\"spec\"]->FailurePolicy[\"checkpointWaitSeconds\"])");
    assertThat(ExitOnStoppedInformer.reason(new WatcherException("gone"))).isEqualTo("WatcherException: gone");
  }

  @Test
  void causesThatLoopStillEndTheProcess() {
    IllegalStateException inner = new IllegalStateException("inner");
    IllegalArgumentException outer = new IllegalArgumentException("outer", inner);
    inner.initCause(outer);

    // Preemptively: a walk that followed the loop would never return, and the process would never exit.
    assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> handler.onStop(informerOf(TrainingJob.class), new WatcherException("watch failed", outer)));
    assertThat(exits).containsExactly(1);
  }

  @Test
  void anInformerStoppedOnPurposeLeavesTheProcessRunning() {
    handler.onStop(informerOf(TrainingJob.class), null);
    assertThat(exits).isEmpty();
  }
}
