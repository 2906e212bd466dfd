package dev.gangway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.goodput.AttemptEnd;
import dev.gangway.goodput.Bucket;
import dev.gangway.goodput.GoodputAccount;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Goodput as Prometheus sees it: counters by cause that never go back, one gauge per job that leaves with the job. */
class JobMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final JobMetrics metrics = new JobMetrics(registry);

  private static Instant t(long seconds) {
    return Instant.parse("2026-12-01T00:00:00Z").plusSeconds(seconds);
  }

  @Test
  void countersGrowByWhatEachPersistedUpdateAddedAndUsefulOnlyOnceKept() {
    GoodputAccount running = GoodputAccount.opened(t(0)).charge(Bucket.USEFUL, 8, t(100));
    GoodputStatus checkpointed = running.running(t(0), t(60), 8, t(100)).toStatus();
    metrics.goodput("ns", "llm", null, checkpointed);
    // 100 s ran, 60 s of it kept by the checkpoint.
    assertThat(registry.find("gangway.gpu.seconds.useful").counter().count()).isEqualTo(480.0);

    GoodputStatus failed = running.end(new AttemptEnd(t(0), t(60), t(90), t(100)), 8, t(100)).charge(Bucket.RESTART, 8, t(130)).toStatus();
    metrics.goodput("ns", "llm", checkpointed, failed);
    assertThat(registry.find("gangway.gpu.seconds.useful").counter().count()).isEqualTo(480.0);
    assertThat(registry.find("gangway.gpu.seconds.lost").tag("cause", "lost_work").counter().count()).isEqualTo(240.0);
    assertThat(registry.find("gangway.gpu.seconds.lost").tag("cause", "detection").counter().count()).isEqualTo(80.0);
    assertThat(registry.find("gangway.gpu.seconds.lost").tag("cause", "restart").counter().count()).isEqualTo(240.0);
    assertThat(registry.find("gangway.job.goodput.ratio").tag("namespace", "ns").tag("name", "llm").gauge().value())
        .isEqualTo(failed.getRatio());
    assertThat(registry.find("gangway.fleet.goodput.ratio").gauge().value()).isEqualTo(480.0 / 1040.0);

    metrics.goodput("ns", "llm", failed, failed);
    assertThat(registry.find("gangway.gpu.seconds.lost").tag("cause", "restart").counter().count()).isEqualTo(240.0);
  }

  @Test
  void aDeletedJobsGaugeIsRemovedAndOthersStay() {
    GoodputStatus g = GoodputAccount.opened(t(0)).charge(Bucket.USEFUL, 8, t(10)).toStatus();
    metrics.goodput("ns", "kept", null, g);
    metrics.goodput("ns", "deleted", null, g);
    assertThat(registry.find("gangway.job.goodput.ratio").gauges()).hasSize(2);

    metrics.retainGoodput(job -> job.equals(new ResourceID("kept", "ns")));
    assertThat(registry.find("gangway.job.goodput.ratio").gauges()).singleElement()
        .satisfies(gauge -> assertThat(gauge.getId().getTag("name")).isEqualTo("kept"));

    metrics.retainGoodput(job -> false);
    assertThat(registry.find("gangway.job.goodput.ratio").gauges()).isEmpty();
    assertThat(registry.find("gangway.fleet.goodput.ratio").gauge().value()).isNaN();
  }

  @Test
  void inPlaceRestartsAreCountedOnceEachAndAfreshInANewAttempt() {
    metrics.inPlaceRestarts(null, inPlace(1, null));
    assertThat(registry.find("gangway.restarts.in.place").counter()).as("nothing counted, nothing registered").isNull();
    metrics.inPlaceRestarts(inPlace(1, null), inPlace(1, 2));
    metrics.inPlaceRestarts(inPlace(1, 2), inPlace(1, 2));
    assertThat(registry.find("gangway.restarts.in.place").counter().count()).isEqualTo(2.0);
    metrics.inPlaceRestarts(inPlace(1, 2), inPlace(1, 3));
    // Attempt 2's count starts from none, whatever attempt 1 had.
    metrics.inPlaceRestarts(inPlace(1, 3), inPlace(2, 1));
    assertThat(registry.find("gangway.restarts.in.place").counter().count()).isEqualTo(4.0);
  }

  private static TrainingJobStatus inPlace(int attempt, Integer restarts) {
    TrainingJobStatus s = new TrainingJobStatus();
    s.setAttempt(attempt);
    s.setInPlaceRestarts(restarts);
    return s;
  }

  @Test
  void timeToRunningIsRecordedOnceWhenTheGangFirstRunsIntoBuckets() {
    dev.gangway.api.v1alpha1.TrainingJobStatus pending = new dev.gangway.api.v1alpha1.TrainingJobStatus();
    dev.gangway.api.v1alpha1.TrainingJobStatus running = new dev.gangway.api.v1alpha1.TrainingJobStatus();
    running.setStartTime(t(42).toString());
    metrics.firstRunning(t(0).toString(), pending, pending);
    assertThat(registry.find("gangway.job.time.to.running").summary().count()).as("registered at zero, not running yet").isZero();

    metrics.firstRunning(t(0).toString(), pending, running);
    metrics.firstRunning(t(0).toString(), running, running);
    var summary = registry.find("gangway.job.time.to.running").summary();
    assertThat(summary.count()).isEqualTo(1);
    assertThat(summary.totalAmount()).isEqualTo(42.0);
    assertThat(summary.takeSnapshot().histogramCounts()).anySatisfy(b -> {
      assertThat(b.bucket()).isEqualTo(60.0);
      assertThat(b.count()).isEqualTo(1.0);
    }).anySatisfy(b -> {
      assertThat(b.bucket()).isEqualTo(30.0);
      assertThat(b.count()).isZero();
    });
  }

  @Test
  void metersWithKnownLabelsExistAtZeroBeforeTheirFirstEvent() {
    assertThat(registry.find("gangway.restarts").tag("cause", "RankFailed").tag("infrastructure", "false").counter().count()).isZero();
    assertThat(registry.find("gangway.restarts").tag("cause", "NodeLost").tag("infrastructure", "true").counter()).isNotNull();
    assertThat(registry.find("gangway.restarts").tag("cause", "NodeNotReadyWithinGrace").counters()).as("never restarts").isEmpty();
    assertThat(registry.find("gangway.recovery.seconds").summary().count()).isZero();
    assertThat(registry.find("gangway.placement.decision").tag("outcome", "placed").timer().count()).isZero();
    assertThat(registry.find("gangway.placement.allreduce.vs.bound").summary()).isNotNull();
    assertThat(registry.find("gangway.gpu.seconds.lost").tag("cause", "lost_work").counter().count()).isZero();
  }

  /** The waiting-gangs supplier is only referenced by the gauge: a weakly held one is collected and the series vanishes. */
  @Test
  void theWaitingGangsGaugeKeepsItsSupplierAlive() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    new JobMetrics(own).watch(new java.util.function.Supplier<Number>() {
      @Override
      public Number get() {
        return 7;
      }
    }, () -> 0);
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    assertThat(own.find("gangway.placement.waiting.gangs").gauge().value()).isEqualTo(7.0);
  }
}
