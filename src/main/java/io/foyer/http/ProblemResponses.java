package io.foyer.http;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.StoreFailures;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure of a request into an RFC 9457 problem+json response with a stable type. */
public final class ProblemResponses {

  public static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

  private ProblemResponses() {}

  /** Router failure handler and error handler for unmatched routes. */
  public static void handle(RoutingContext ctx) {
    ProblemException problem = toProblem(ctx);
    if (problem.type() == ProblemType.INTERNAL || problem.type() == ProblemType.UNAVAILABLE && ctx.failure() != null
        && !(ctx.failure() instanceof ProblemException)) {
      log.error("Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    send(ctx, problem);
  }

  /** Sends a problem response, unless a response was already started. */
  public static void send(RoutingContext ctx, ProblemException problem) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (problem.type().retryable()) {
      ctx.response().putHeader("Retry-After", String.valueOf(problem.retryAfterSeconds()));
    }
    ctx.response()
        .setStatusCode(problem.type().status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(problem.toJson(ctx.request().path()).encode());
  }

  private static ProblemException toProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException problem) {
      return problem;
    }
    if (failure != null && StoreFailures.isTransient(failure)) {
      return new ProblemException(ProblemType.UNAVAILABLE, "a dependency is unavailable; retry shortly");
    }
    if (failure instanceof DecodeException) {
      return new ProblemException(ProblemType.INVALID_JSON, "the request body could not be parsed as JSON");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    return switch (status) {
      case 400 -> new ProblemException(ProblemType.BAD_REQUEST, "the request could not be understood");
      case 401 -> new ProblemException(ProblemType.UNAUTHORIZED, "a valid bearer token is required");
      case 403 -> new ProblemException(ProblemType.FORBIDDEN, "this token may not do that");
      case 404 -> new ProblemException(ProblemType.NOT_FOUND, "nothing is at " + ctx.request().path());
      case 405 -> new ProblemException(ProblemType.METHOD_NOT_ALLOWED,
          ctx.request().method() + " is not allowed on " + ctx.request().path());
      case 413 -> new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "the request body exceeds the size limit");
      case 415 -> new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
      case 503 -> new ProblemException(ProblemType.UNAVAILABLE, "the service is not available; retry shortly");
      default -> new ProblemException(ProblemType.INTERNAL, "an unexpected error occurred; it has been logged");
    };
  }
}
