package dev.gangway.operator.messaging;

import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.operator.ingest.CheckIns;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads "checkpoint complete" reports from the {@code checkpoints} channel into {@link CheckIns}:
 * on the leader the report is stored in the job's status before the message is acknowledged (so a
 * committed offset means it is durable); a follower keeps it warm. A bad or stale message is logged
 * and acknowledged, never thrown: one malformed report must not stop the channel for every other job.
 */
@ApplicationScoped
public class CheckpointReportConsumer {
  public static final String CHANNEL = "checkpoints";
  private static final Logger LOG = Logger.getLogger(CheckpointReportConsumer.class);

  private final CheckIns checkIns;
  private final Clock clock = Clock.systemUTC();

  public CheckpointReportConsumer(CheckIns checkIns) {
    this.checkIns = checkIns;
  }

  /** Blocking: recording waits on the API server; messages stay in order. */
  @Incoming(CHANNEL)
  @Blocking
  public void receive(String payload) {
    try {
      checkIns.fromChannel(CheckpointReport.fromJson(payload).timedAt(clock.instant()));
    } catch (IllegalArgumentException e) {
      LOG.warnf("Rejected message on channel %s: %s. Payload: %s", CHANNEL, e.getMessage(), Payloads.abbreviate(payload));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Failed to handle message on channel %s. Payload: %s", CHANNEL, Payloads.abbreviate(payload));
    }
  }
}
