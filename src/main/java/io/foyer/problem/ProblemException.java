package io.foyer.problem;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * A failure a client should see: a stable {@link ProblemType}, a human detail, and optional extension members
 * (for example per-field validation errors). HTTP turns it into problem+json, the gateway into an error frame.
 * It is a {@link ReplyException} so that a capability's failure reaches its caller on the event bus as itself.
 */
public final class ProblemException extends ReplyException {

  private final ProblemType type;
  private final JsonObject extensions;
  private final Duration retryAfter;

  public ProblemException(ProblemType type, String detail) {
    this(type, detail, null);
  }

  public ProblemException(ProblemType type, String detail, JsonObject extensions) {
    this(type, detail, extensions, null);
  }

  /** @param retryAfter how long a client should wait before retrying, when known (null: one second) */
  public ProblemException(ProblemType type, String detail, JsonObject extensions, Duration retryAfter) {
    super(ReplyFailure.RECIPIENT_FAILURE, type.status(), detail, true);
    this.type = type;
    this.extensions = extensions == null ? new JsonObject() : extensions;
    this.retryAfter = retryAfter;
  }

  public ProblemType type() {
    return type;
  }

  public String detail() {
    return getMessage();
  }

  /** The extension members (for example validation-failed's errors); a copy. */
  public JsonObject extensions() {
    return extensions.copy();
  }

  /** How long a client should wait before retrying, when known; else null. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** For a retryable problem, the whole seconds to wait before retrying (HTTP Retry-After): at least one. */
  public long retryAfterSeconds() {
    if (retryAfter == null) {
      return 1;
    }
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }

  /** The RFC 9457 body for this problem, with {@code instance} set to the request path when known. */
  public JsonObject toJson(String instance) {
    JsonObject body = new JsonObject()
        .put("type", type.uri())
        .put("title", type.title())
        .put("status", type.status())
        .put("code", type.code())
        .put("detail", detail());
    if (instance != null) {
      body.put("instance", instance);
    }
    extensions.forEach(e -> body.put(e.getKey(), e.getValue()));
    return body;
  }
}
