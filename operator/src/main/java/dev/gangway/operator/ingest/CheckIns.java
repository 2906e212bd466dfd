package dev.gangway.operator.ingest;

import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.checkpoint.CheckpointRecorder;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.health.NodeHealthRecorder;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.health.NodeHealthSignal;
import dev.gangway.leadership.Leadership;
import dev.gangway.checkin.IntakeAnswer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Where check-ins (checkpoint reports, node-health signals) go, whichever door they came through.
 * On the leader a check-in is made durable in the API server first ({@link CheckpointRecorder},
 * {@link NodeHealthRecorder}) and only then put into the in-memory stores the reconciler reads; a
 * follower only keeps its stores warm. When a replica starts leading it records what its warm stores
 * hold, so a check-in a follower consumed from Kafka (its offset committed) is not lost with the old leader.
 */
@ApplicationScoped
public class CheckIns {
  private static final Logger LOG = Logger.getLogger(CheckIns.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Leadership leadership;
  private final CheckpointInbox inbox;
  private final NodeHealthRegistry health;
  private final CheckpointRecorder checkpoints;
  private final NodeHealthRecorder nodes;
  private final Clock clock = Clock.systemUTC();
  private final ExecutorService takeover = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "gangway-takeover-checkins");
    t.setDaemon(true);
    return t;
  });

  public CheckIns(Leadership leadership, CheckpointInbox inbox, NodeHealthRegistry health, KubernetesClient client) {
    this.leadership = leadership;
    this.inbox = inbox;
    this.health = health;
    this.checkpoints = new CheckpointRecorder(client);
    this.nodes = new NodeHealthRecorder(client);
  }

  void recordWarmStoresOnTakeover(@Observes StartupEvent event) {
    leadership.whenLeading(() -> takeover.execute(this::recordWarmStores));
  }

  public boolean leading() {
    return leadership.isLeader();
  }

  /** Leader only: stores the report as the job's lastCheckpoint, then hands it to the reconciler. */
  public IntakeAnswer record(CheckpointReport report) {
    IntakeAnswer answer = checkpoints.record(report);
    if (answer.recorded()) {
      inbox.offer(report);
    }
    return answer;
  }

  /** Leader only: keeps the signal on the Node, then marks the node (which sets off the leader's reactions). */
  public IntakeAnswer record(NodeHealthSignal signal) {
    IntakeAnswer answer = nodes.record(signal);
    if (answer.recorded()) {
      health.record(signal, clock.instant());
    }
    return answer;
  }

  /** What a follower does with a check-in: remember it, write nothing. */
  public void warm(CheckpointReport report) {
    inbox.offer(report);
  }

  public void warm(NodeHealthSignal signal) {
    health.record(signal, clock.instant());
  }

  /**
   * A check-in from a channel: the leader records it durably, retrying while the API server cannot be
   * written, and returns only then, so the message's offset is committed after it is durable. A
   * follower (or a leader that lost the lease meanwhile) keeps it warm.
   */
  public void fromChannel(CheckpointReport report) {
    fromChannel(() -> record(report), () -> warm(report), "checkpoint report for " + report.job());
  }

  public void fromChannel(NodeHealthSignal signal) {
    fromChannel(() -> record(signal), () -> warm(signal), signal.severity() + " signal for node " + signal.node());
  }

  private void fromChannel(Supplier<IntakeAnswer> record, Runnable warm, String what) {
    Duration backoff = Duration.ofSeconds(1);
    while (leadership.isLeader()) {
      IntakeAnswer answer = record.get();
      if (!answer.retryable()) {
        if (answer.recorded()) {
          LOG.debugf("Recorded %s: %s", what, answer.message());
        } else {
          LOG.infof("Ignored %s: %s", what, answer.message());
        }
        return;
      }
      LOG.warnf("Could not record %s yet (%s); retrying in %d s before acknowledging it", what, answer.message(), backoff.toSeconds());
      if (!sleep(backoff)) {
        return;
      }
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
    warm.run();
  }

  private void recordWarmStores() {
    var reports = inbox.all();
    var fatal = health.fatalNodes(clock.instant()).stream().map(n -> health.fatalSignal(n, clock.instant())).flatMap(java.util.Optional::stream)
        .toList();
    LOG.infof("Leading: recording the %d checkpoint reports and %d fatal node marks this replica held", reports.size(), fatal.size());
    reports.forEach(r -> logUnrecorded(checkpoints.record(r), "checkpoint report for " + r.job()));
    fatal.forEach(s -> logUnrecorded(nodes.record(s), "Fatal signal for node " + s.node()));
  }

  private static void logUnrecorded(IntakeAnswer answer, String what) {
    if (answer.retryable()) {
      LOG.warnf("On takeover, could not record the %s: %s", what, answer.message());
    } else {
      LOG.debugf("On takeover, %s: %s", what, answer.message());
    }
  }

  private static boolean sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
