package io.foyer.http;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net of every /api request: when nothing has answered it within the deadline (a write stuck behind
 * a lock, a lost callback), it is answered 503 {@code unavailable}, which a client may retry, and a warning
 * names it in the log. Whatever completes later is not sent ({@link Replies} drops it).
 *
 * <p>Unlike vertx-web's TimeoutHandler it answers directly instead of failing the routing context, so the
 * handler still running for the request cannot have its own failure routed a second time.
 */
public final class RequestDeadline implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(RequestDeadline.class);

  private final long millis;

  public RequestDeadline(Duration deadline) {
    this.millis = Math.max(1, deadline.toMillis());
  }

  @Override
  public void handle(RoutingContext ctx) {
    long timer = ctx.vertx().setTimer(millis, id -> expire(ctx));
    ctx.addEndHandler(ar -> ctx.vertx().cancelTimer(timer));
    ctx.next();
  }

  private void expire(RoutingContext ctx) {
    if (ctx.response().headWritten() || ctx.response().closed()) {
      return;
    }
    log.warn("No answer to {} {} within {} ms: answered 503 unavailable", ctx.request().method(),
        ctx.request().path(), millis);
    if (!ctx.request().isEnded()) {
      // let the rest of a body still arriving be read and discarded
      ctx.request().resume();
    }
    ProblemResponses.send(ctx, new ProblemException(ProblemType.UNAVAILABLE,
        "no answer within " + (millis >= 1000 ? millis / 1000 + " s" : millis + " ms") + "; retry shortly"));
  }
}
