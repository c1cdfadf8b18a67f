package io.foyer.http;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Reads a JSON object body, refusing other content types and malformed JSON with their problem types. */
public final class RequestBodies {

  private RequestBodies() {}

  public static JsonObject jsonObject(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
          "send the body as application/json (got " + (contentType == null ? "no content type" : contentType) + ")");
    }
    if (ctx.body() == null || ctx.body().length() == 0) {
      throw new ProblemException(ProblemType.INVALID_JSON, "the request body is empty; send a JSON object");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(ctx.body().buffer());
    } catch (DecodeException e) {
      throw new ProblemException(ProblemType.INVALID_JSON, "the request body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject object)) {
      throw new ProblemException(ProblemType.INVALID_JSON, "the request body must be a JSON object");
    }
    return object;
  }

  /** A positive numeric path parameter, or 404 when it is not one (no such resource can exist). */
  public static long idParam(RoutingContext ctx, String name) {
    String value = ctx.pathParam(name);
    try {
      long id = Long.parseLong(value);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // falls through to not found
    }
    throw new ProblemException(ProblemType.NOT_FOUND, "no " + name.replace("Id", "") + " " + value);
  }
}
