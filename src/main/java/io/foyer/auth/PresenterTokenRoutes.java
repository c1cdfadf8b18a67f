package io.foyer.auth;

import io.foyer.events.EventCatalog;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The organizer API for presenter tokens: issue, list and revoke the tokens of one event. */
public final class PresenterTokenRoutes implements ApiRoutes {

  static final int DEFAULT_TTL_HOURS = 24;
  static final int MAX_TTL_HOURS = 720;
  private static final int MAX_NAME_LENGTH = 100;

  private final AuthHandlers auth;
  private final PresenterTokens presenters;
  private final EventCatalog catalog;

  public PresenterTokenRoutes(AuthHandlers auth, PresenterTokens presenters, EventCatalog catalog) {
    this.auth = auth;
    this.presenters = presenters;
    this.catalog = catalog;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/presenter-tokens";
    api.post(base).handler(auth.organizer()).handler(this::issue);
    api.get(base).handler(auth.organizer()).handler(this::list);
    api.delete(base + "/:tokenId").handler(auth.organizer()).handler(this::revoke);
  }

  /** What an issue request asks for, validated. */
  private record Request(String name, Long sessionId, Duration ttl) {

    static Request fromJson(JsonObject body) {
      Validation validation = new Validation();
      validation.onlyKnown(body, List.of("name", "sessionId", "ttlHours"));
      String name = validation.text(body, "name", true, MAX_NAME_LENGTH);
      Long sessionId = validation.wholeNumber(body, "sessionId", 1, Long.MAX_VALUE,
          "must be a session id (a positive whole number)");
      Long ttlHours = validation.wholeNumber(body, "ttlHours", 1, MAX_TTL_HOURS,
          "must be a whole number of hours from 1 to " + MAX_TTL_HOURS);
      validation.throwIfInvalid();
      return new Request(name, sessionId, Duration.ofHours(ttlHours == null ? DEFAULT_TTL_HOURS : ttlHours));
    }
  }

  private void issue(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Request request = Request.fromJson(RequestBodies.jsonObject(ctx));
    catalog.get(eventId)
        .compose(event -> request.sessionId() == null ? Future.succeededFuture()
            : catalog.requireSession(eventId, request.sessionId()))
        .compose(v -> presenters.issue(eventId, request.sessionId(), request.name(), request.ttl(),
            AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, issued -> ctx.response().setStatusCode(201)
            .putHeader("Location", "/api/events/" + eventId + "/presenter-tokens/" + issued.id())
            .putHeader("Content-Type", "application/json")
            .end(issued.toJson().encode())));
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    AuthHandlers.organizerFor(ctx, eventId);
    catalog.get(eventId).compose(event -> presenters.list(eventId))
        .onComplete(Replies.to(ctx, tokens -> ctx.json(new JsonObject().put("presenterTokens", tokens))));
  }

  private void revoke(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    presenters.revoke(eventId, tokenParam(ctx), AuthHandlers.actor(ctx, organizer))
        .onComplete(Replies.to(ctx, v -> ctx.response().setStatusCode(204).end()));
  }

  private static UUID tokenParam(RoutingContext ctx) {
    String value = ctx.pathParam("tokenId");
    try {
      UUID id = UUID.fromString(value);
      if (id.toString().equals(value)) {
        return id;
      }
    } catch (IllegalArgumentException e) {
      // falls through to not found
    }
    throw new ProblemException(ProblemType.NOT_FOUND, "no presenter token " + value);
  }
}
