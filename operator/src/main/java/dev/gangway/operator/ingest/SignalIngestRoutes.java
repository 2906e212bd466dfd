package dev.gangway.operator.ingest;

import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.health.NodeHealthSignal;
import dev.gangway.signal.Caller;
import dev.gangway.signal.CheckInAccess;
import dev.gangway.checkin.IntakeAnswer;
import dev.gangway.signal.IntakeRateLimit;
import dev.gangway.signal.IntakeToken;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * HTTP doors for check-ins, for clusters without Kafka: training code (or a sidecar) POSTs a
 * checkpoint report when a save completes, a GPU health agent POSTs a node-health signal. Same JSON
 * as on the channels. The Service sends to every replica: the leader answers 2xx only once the
 * check-in is stored in the API server ({@link CheckIns}); a follower relays it to the leader and
 * relays the answer ({@link LeaderForwarder}). 503 with {@code Retry-After} means nothing was
 * stored: send it again.
 *
 * <p>Every check-in carries {@code Authorization: Bearer <token>}, a ServiceAccount token for
 * Gangway's audience ({@link IntakeToken}). The leader reviews it with the API server and decides
 * with {@link CheckInAccess}: no token 401, a token the API server does not accept 401, a sender
 * that may not send this check-in 403; nothing is stored then. A follower relays the token with the
 * check-in and lets the leader judge it.
 *
 * <p>Limits, answered with a JSON reason and nothing stored: a body over
 * {@code gangway.intake.max-body-bytes} is 413; a client over its rate
 * ({@code gangway.intake.rate-limit.*}) is 429 with {@code Retry-After}. The rate is counted per
 * source address at the door a request reaches first (before its token is reviewed, so a flood
 * costs the API server nothing), and per reviewed identity at the leader (which also catches
 * requests that claim to be relayed).
 */
@ApplicationScoped
public class SignalIngestRoutes {
  public static final String CHECKPOINTS = "/api/v1/checkpoints";
  public static final String NODE_HEALTH = "/api/v1/node-health";
  private static final Logger LOG = Logger.getLogger(SignalIngestRoutes.class);
  private static final String RETRY_AFTER = "gangway.retry-after";

  private final CheckIns checkIns;
  private final LeaderForwarder leader;
  private final CallerReviews reviews;
  private final Clock clock = Clock.systemUTC();
  private final long maxBodyBytes;
  private final IntakeRateLimit perSource;
  private final IntakeRateLimit perIdentity;

  public SignalIngestRoutes(CheckIns checkIns, LeaderForwarder leader, CallerReviews reviews,
                            @ConfigProperty(name = "gangway.intake.max-body-bytes") long maxBodyBytes,
                            @ConfigProperty(name = "gangway.intake.rate-limit.per-second") double perSecond,
                            @ConfigProperty(name = "gangway.intake.rate-limit.burst") int burst,
                            @ConfigProperty(name = "gangway.intake.rate-limit.max-clients") int maxClients) {
    this.checkIns = checkIns;
    this.leader = leader;
    this.reviews = reviews;
    this.maxBodyBytes = maxBodyBytes;
    this.perSource = new IntakeRateLimit(perSecond, burst, maxClients);
    this.perIdentity = new IntakeRateLimit(perSecond, burst, maxClients);
  }

  void routes(@Observes Router router) {
    // Blocking handlers: recording and forwarding wait on the API server or the leader, never on the event loop.
    // The rate limit is a route of its own ahead of the doors: Vert.x wants the BodyHandler first on a route.
    router.post(CHECKPOINTS).order(-1).handler(this::limitSource);
    router.post(NODE_HEALTH).order(-1).handler(this::limitSource);
    router.post(CHECKPOINTS).handler(BodyHandler.create().setBodyLimit(maxBodyBytes))
        .blockingHandler(ctx -> handle(ctx, CHECKPOINTS, body -> CheckpointReport.fromJson(body).timedAt(clock.instant()),
            this::mayReport, checkIns::record, checkIns::warm), false)
        .failureHandler(this::tooLarge);
    router.post(NODE_HEALTH).handler(BodyHandler.create().setBodyLimit(maxBodyBytes))
        .blockingHandler(ctx -> handle(ctx, NODE_HEALTH, NodeHealthSignal::fromJson, this::maySignal, checkIns::record, checkIns::warm), false)
        .failureHandler(this::tooLarge);
  }

  /** On the event loop, before the body is read or the token reviewed. Relayed requests were counted at their first door. */
  private void limitSource(RoutingContext ctx) {
    if (ctx.request().getHeader(LeaderForwarder.FORWARDED_BY) != null) {
      ctx.next();
      return;
    }
    String source = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    Optional<Duration> wait = perSource.take(source, clock.instant());
    if (wait.isPresent()) {
      ctx.put(RETRY_AFTER, IntakeRateLimit.retryAfterSeconds(wait.get()));
      respond(ctx, IntakeRateLimit.tooMany(source, wait.get()));
      return;
    }
    ctx.next();
  }

  /** BodyHandler fails the request with 413 past the limit (at once when Content-Length says so); answer it in JSON. */
  private void tooLarge(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      respond(ctx, new IntakeAnswer(413, "the body is over " + maxBodyBytes + " bytes (gangway.intake.max-body-bytes); a check-in is a small"
          + " JSON object: send only the documented fields"));
    } else {
      ctx.next();
    }
  }

  private Optional<IntakeAnswer> mayReport(Caller caller, CheckpointReport report) {
    return CheckInAccess.checkpoint(caller, reviews.boundPod(caller), report);
  }

  private Optional<IntakeAnswer> maySignal(Caller caller, NodeHealthSignal signal) {
    CallerReviews.Verdict verdict = reviews.mayReportNodeHealth(caller);
    return CheckInAccess.nodeHealth(caller, verdict.allowed(), verdict.reason());
  }

  /**
   * @param authorize the leader's refusal of the sender for this check-in, if any
   * @param record what the leader does: store durably, then in memory
   * @param warm what a follower does once the leader stored it
   */
  private <T> void handle(RoutingContext ctx, String path, Function<String, T> parse, BiFunction<Caller, T, Optional<IntakeAnswer>> authorize,
                          Function<T, IntakeAnswer> record, Consumer<T> warm) {
    String token = IntakeToken.fromAuthorizationHeader(ctx.request().getHeader("Authorization"));
    Optional<IntakeAnswer> noToken = CheckInAccess.tokenPresent(token);
    if (noToken.isPresent()) {
      respond(ctx, noToken.get());
      return;
    }
    String body = ctx.body().asString();
    T checkIn;
    try {
      checkIn = parse.apply(body);
    } catch (IllegalArgumentException e) {
      respond(ctx, new IntakeAnswer(400, e.getMessage()));
      return;
    }
    IntakeAnswer answer;
    String forwardedBy = ctx.request().getHeader(LeaderForwarder.FORWARDED_BY);
    if (checkIns.leading()) {
      answer = refusal(ctx, token, checkIn, authorize).orElseGet(() -> record.apply(checkIn));
    } else if (forwardedBy != null) {
      answer = IntakeAnswer.unavailable("forwarded by " + forwardedBy + " to " + leader.identity() + ", which is not the leader (any more)");
    } else {
      answer = leader.forward(path, body, token);
      if (answer.recorded()) {
        warm.accept(checkIn);
      }
    }
    LOG.debugf("%s %s: %d %s", path, checkIns.leading() ? "recorded" : "forwarded", answer.status(), answer.message());
    respond(ctx, answer);
  }

  private <T> Optional<IntakeAnswer> refusal(RoutingContext ctx, String token, T checkIn,
                                             BiFunction<Caller, T, Optional<IntakeAnswer>> authorize) {
    try {
      Caller caller = reviews.review(token);
      if (caller.authenticated()) {
        Optional<Duration> wait = perIdentity.take(caller.username(), clock.instant());
        if (wait.isPresent()) {
          ctx.put(RETRY_AFTER, IntakeRateLimit.retryAfterSeconds(wait.get()));
          return Optional.of(IntakeRateLimit.tooMany(caller.username(), wait.get()));
        }
      }
      return authorize.apply(caller, checkIn);
    } catch (KubernetesClientException e) {
      return Optional.of(IntakeAnswer.unavailable("could not review the sender's token with the API server: " + e.getMessage()));
    }
  }

  private static void respond(RoutingContext ctx, IntakeAnswer answer) {
    var response = ctx.response().setStatusCode(answer.status()).putHeader("content-type", "application/json");
    if (answer.status() == 503 || answer.status() == 429) {
      Long retryAfter = ctx.get(RETRY_AFTER);
      response.putHeader("Retry-After", String.valueOf(retryAfter == null ? 1 : retryAfter));
    }
    if (answer.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    response.end(new JsonObject().put("status", answer.status()).put("message", answer.message() == null ? "" : answer.message()).encode());
  }
}
