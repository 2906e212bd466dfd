package dev.gangway.operator.ingest;

import dev.gangway.checkpoint.CheckpointInbox;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.health.NodeHealthSignal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * HTTP doors to the same stores the messaging channels fill, for clusters without Kafka: training
 * code (or a sidecar) POSTs a checkpoint report when a save completes, a GPU health agent POSTs a
 * node-health signal. Same JSON as on the channels. Reports are still judged (job uid, attempt,
 * step) before a restart resumes from them.
 */
@ApplicationScoped
public class SignalIngestRoutes {
  public static final String CHECKPOINTS = "/api/v1/checkpoints";
  public static final String NODE_HEALTH = "/api/v1/node-health";
  private static final Logger LOG = Logger.getLogger(SignalIngestRoutes.class);
  private static final long BODY_LIMIT = 64 * 1024;

  private final CheckpointInbox inbox;
  private final NodeHealthRegistry health;
  private final Clock clock = Clock.systemUTC();

  public SignalIngestRoutes(CheckpointInbox inbox, NodeHealthRegistry health) {
    this.inbox = inbox;
    this.health = health;
  }

  void routes(@Observes Router router) {
    router.post(CHECKPOINTS).handler(BodyHandler.create().setBodyLimit(BODY_LIMIT)).handler(this::checkpoint);
    router.post(NODE_HEALTH).handler(BodyHandler.create().setBodyLimit(BODY_LIMIT)).handler(this::nodeHealth);
  }

  private void checkpoint(RoutingContext ctx) {
    try {
      CheckpointReport report = CheckpointReport.fromJson(ctx.body().asString()).timedAt(clock.instant());
      CheckpointInbox.Offer offer = inbox.offer(report);
      respond(ctx, offer.accepted() ? 202 : 409, offer.accepted() ? "accepted" : offer.reason());
    } catch (IllegalArgumentException e) {
      respond(ctx, 400, e.getMessage());
    }
  }

  private void nodeHealth(RoutingContext ctx) {
    try {
      NodeHealthSignal signal = NodeHealthSignal.fromJson(ctx.body().asString());
      NodeHealthRegistry.Outcome outcome = health.record(signal, clock.instant());
      LOG.infof("Node-health signal over HTTP for %s (%s %s): %s", signal.node(), signal.severity(), signal.reason(), outcome);
      respond(ctx, 202, outcome.name());
    } catch (IllegalArgumentException e) {
      respond(ctx, 400, e.getMessage());
    }
  }

  private static void respond(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", status).put("message", message == null ? "" : message).encode());
  }
}
