package io.foyer.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * Answers a request with the outcome of a Future, so that no outcome is lost: a failure, or an exception thrown
 * while writing the answer, becomes a problem response (through the router's failure handler); an outcome that
 * arrives after the request was already answered (by {@link RequestDeadline}) or after the client went away is
 * dropped instead of being written twice.
 *
 * <p>Why not {@code future.onSuccess(...).onFailure(ctx::fail)}: with two listeners on a Future that has no
 * context (a plain {@code Promise.promise()}, as the writers complete), Vert.x 5 drops an exception thrown by
 * the success handler without a trace, and the request is never answered.
 */
public final class Replies {

  private Replies() {}

  /** The one handler of an outcome: {@code future.onComplete(Replies.to(ctx, value -> ...))}. */
  public static <T> Handler<AsyncResult<T>> to(RoutingContext ctx, Consumer<T> answer) {
    return ar -> {
      if (answered(ctx)) {
        return;
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      try {
        answer.accept(ar.result());
      } catch (RuntimeException e) {
        if (!ctx.response().headWritten()) {
          ctx.fail(e);
        } else {
          ctx.response().reset();
        }
      }
    };
  }

  private static boolean answered(RoutingContext ctx) {
    return ctx.response().headWritten() || ctx.response().closed();
  }
}
