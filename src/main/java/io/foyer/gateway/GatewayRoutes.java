package io.foyer.gateway;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
import io.foyer.gateway.GatewayMessages.Announce;
import io.foyer.gateway.GatewayMessages.Announcement;
import io.foyer.events.EventCatalog;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages;
import io.foyer.registration.RegistrationMessages.Status;
import io.foyer.registration.RegistrationMessages.StatusQuery;
import io.foyer.registration.RegistrationRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/**
 * Organizer pushes: announcements to an event or a session, and direct messages to one attendee. Either may
 * carry an Idempotency-Key, so that a retry after a failure or a lost answer sends the announcement once.
 */
public final class GatewayRoutes implements ApiRoutes {

  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final List<String> MEMBERS = List.of("title", "body", "sessionId");

  private final AuthHandlers auth;
  private final EventCatalog catalog;

  public GatewayRoutes(AuthHandlers auth, EventCatalog catalog) {
    this.auth = auth;
    this.catalog = catalog;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    api.post("/events/:eventId/announcements").handler(auth.organizer()).handler(this::announce);
    api.post("/events/:eventId/registrations/:registrationId/messages").handler(auth.organizer())
        .handler(this::message);
  }

  private void announce(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    String key = idempotencyKey(ctx);
    JsonObject body = RequestBodies.jsonObject(ctx);
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    String title = v.text(body, "title", false, 200);
    String text = v.text(body, "body", true, 5000);
    Object session = body.getValue("sessionId");
    if (session != null && !(session instanceof Number n && n.longValue() > 0)) {
      v.fail("sessionId", "must be the id of a session of this event");
    }
    v.throwIfInvalid();
    Future<Topic> topic = session == null ? Future.succeededFuture(Topic.event(eventId))
        : catalog.requireSession(eventId, ((Number) session).longValue())
            .map(Topic.session(((Number) session).longValue()));
    Announcement announcement = new Announcement(eventId, session == null ? null : ((Number) session).longValue(),
        null, title, text, key, key == null ? null : RegistrationRequest.fingerprint(body));
    topic.compose(t -> Bus.<JsonObject>request(ctx.vertx(), GatewayMessages.ANNOUNCE,
            new Announce(t, announcement, AuthHandlers.actor(ctx, organizer))))
        .onComplete(Replies.to(ctx, sent -> created(ctx, sent)));
  }

  private void message(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    UUID registrationId;
    try {
      registrationId = UUID.fromString(ctx.pathParam("registrationId"));
    } catch (IllegalArgumentException e) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no registration " + ctx.pathParam("registrationId"));
    }
    String key = idempotencyKey(ctx);
    JsonObject body = RequestBodies.jsonObject(ctx);
    Validation v = new Validation();
    v.onlyKnown(body, List.of("title", "body"));
    String title = v.text(body, "title", false, 200);
    String text = v.text(body, "body", true, 5000);
    v.throwIfInvalid();
    // the key is per event: the same body to another attendee is another request
    Announcement announcement = new Announcement(eventId, null, registrationId, title, text, key,
        key == null ? null : RegistrationRequest.fingerprint(new JsonObject().put("registrationId",
            registrationId.toString()).put("body", body)));
    Bus.<Status>request(ctx.vertx(), RegistrationMessages.STATUS, new StatusQuery(registrationId))
        .compose(status -> {
          if (!status.found() || status.eventId() != eventId) {
            return Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
                "no registration " + registrationId + " in event " + eventId));
          }
          return Bus.<JsonObject>request(ctx.vertx(), GatewayMessages.ANNOUNCE,
              new Announce(Topic.attendee(registrationId), announcement, AuthHandlers.actor(ctx, organizer)));
        })
        .onComplete(Replies.to(ctx, sent -> created(ctx, sent)));
  }

  /** The optional Idempotency-Key header, checked before anything else. */
  private static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    RegistrationRequest.checkIdempotencyKey(key);
    return key;
  }

  private static void created(RoutingContext ctx, JsonObject sent) {
    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(sent.encode());
  }

}
