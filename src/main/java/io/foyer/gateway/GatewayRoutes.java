package io.foyer.gateway;

import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
import io.foyer.events.EventCatalog;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages;
import io.foyer.registration.RegistrationMessages.Status;
import io.foyer.registration.RegistrationMessages.StatusQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/** Organizer pushes: announcements to an event or a session, and direct messages to one attendee. */
public final class GatewayRoutes implements ApiRoutes {

  private static final List<String> MEMBERS = List.of("title", "body", "sessionId");

  private final Gateway gateway;
  private final AuthHandlers auth;
  private final Pool pool;
  private final EventCatalog catalog;

  public GatewayRoutes(Gateway gateway, AuthHandlers auth, Pool pool, EventCatalog catalog) {
    this.gateway = gateway;
    this.auth = auth;
    this.pool = pool;
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
        : catalog.sessionEvent(((Number) session).longValue()).map(event -> {
          if (event != eventId) {
            throw new ProblemException(ProblemType.NOT_FOUND, "no session " + session + " in event " + eventId);
          }
          return Topic.session(((Number) session).longValue());
        });
    topic.compose(t -> push(ctx, organizer, eventId, t, session == null ? null : ((Number) session).longValue(), null,
            title, text))
        .onSuccess(sent -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .end(sent.encode()))
        .onFailure(ctx::fail);
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
    JsonObject body = RequestBodies.jsonObject(ctx);
    Validation v = new Validation();
    v.onlyKnown(body, List.of("title", "body"));
    String title = v.text(body, "title", false, 200);
    String text = v.text(body, "body", true, 5000);
    v.throwIfInvalid();
    Bus.<Status>request(ctx.vertx(), RegistrationMessages.STATUS, new StatusQuery(registrationId))
        .compose(status -> {
          if (!status.found() || status.eventId() != eventId) {
            return Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
                "no registration " + registrationId + " in event " + eventId));
          }
          return push(ctx, organizer, eventId, Topic.attendee(registrationId), null, registrationId, title, text);
        })
        .onSuccess(sent -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .end(sent.encode()))
        .onFailure(ctx::fail);
  }

  /**
   * Stores the announcement with its audit entry first, then publishes it: whatever a client receives is
   * already in the snapshot a reset would give, and a failed store pushes nothing. The organizer's 201 means
   * both stored and delivered to every node.
   */
  private Future<JsonObject> push(RoutingContext ctx, Organizer organizer, long eventId, Topic topic, Long sessionId,
      UUID registrationId, String title, String text) {
    return pool.withTransaction(connection -> connection.preparedQuery(GatewaySql.INSERT_ANNOUNCEMENT)
            .execute(Tuple.of(eventId, sessionId, registrationId, topic.name(), title, text, organizer.keyName()))
            .map(rows -> rows.iterator().next().getLong(0))
            .compose(id -> AuditLog.record(connection, new AuditEntry(organizer.keyName(), "announcement.sent",
                eventId, topic.name(), new JsonObject().put("announcement", id),
                ctx.request().remoteAddress().hostAddress())).map(id)))
        .compose(id -> gateway.publish(topic, "announcement", new JsonObject().put("title", title).put("body", text))
            .compose(seq -> pool.preparedQuery(GatewaySql.SET_ANNOUNCEMENT_SEQUENCE).execute(Tuple.of(id, seq))
                .map(new JsonObject().put("id", id).put("topic", topic.name()).put("seq", seq))));
  }
}
