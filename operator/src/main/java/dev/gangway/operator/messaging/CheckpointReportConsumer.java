package dev.gangway.operator.messaging;

import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.checkpoint.CheckpointReport;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads "checkpoint complete" reports from the {@code checkpoints} channel into the
 * {@link CheckpointInbox}. A bad or stale message is logged and acknowledged, never thrown: one
 * malformed report must not stop the channel for every other job.
 */
@ApplicationScoped
public class CheckpointReportConsumer {
  public static final String CHANNEL = "checkpoints";
  private static final Logger LOG = Logger.getLogger(CheckpointReportConsumer.class);

  private final CheckpointInbox inbox;
  private final Clock clock = Clock.systemUTC();

  public CheckpointReportConsumer(CheckpointInbox inbox) {
    this.inbox = inbox;
  }

  @Incoming(CHANNEL)
  public void receive(String payload) {
    try {
      CheckpointReport report = CheckpointReport.fromJson(payload).timedAt(clock.instant());
      CheckpointInbox.Offer offer = inbox.offer(report);
      if (offer.accepted()) {
        LOG.debugf("Checkpoint report for %s (uid %s): attempt %d step %d at %s", report.job(), report.uid(), report.attempt(),
            report.step(), report.path());
      } else {
        LOG.infof("Ignored checkpoint report for %s: %s", report.job(), offer.reason());
      }
    } catch (IllegalArgumentException e) {
      LOG.warnf("Rejected message on channel %s: %s. Payload: %s", CHANNEL, e.getMessage(), Payloads.abbreviate(payload));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Failed to handle message on channel %s. Payload: %s", CHANNEL, Payloads.abbreviate(payload));
    }
  }
}
