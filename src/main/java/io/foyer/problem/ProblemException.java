package io.foyer.problem;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * A failure a client should see: a stable {@link ProblemType}, a human detail, and optional extension members
 * (for example per-field validation errors). HTTP turns it into problem+json, the gateway into an error frame.
 * It is a {@link ReplyException} so that a capability's failure reaches its caller on the event bus as itself.
 */
public final class ProblemException extends ReplyException {

  private final ProblemType type;
  private final JsonObject extensions;

  public ProblemException(ProblemType type, String detail) {
    this(type, detail, null);
  }

  public ProblemException(ProblemType type, String detail, JsonObject extensions) {
    super(ReplyFailure.RECIPIENT_FAILURE, type.status(), detail, true);
    this.type = type;
    this.extensions = extensions == null ? new JsonObject() : extensions;
  }

  public ProblemType type() {
    return type;
  }

  public String detail() {
    return getMessage();
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
