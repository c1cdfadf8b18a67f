package io.foyer.events;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.audit.AuditLog;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/**
 * The organizer API for events and sessions, and the public read of an event (its registration form and
 * programme) that attendees' pages need.
 */
public final class EventRoutes implements ApiRoutes {

  private final EventRepository events;
  private final AuthHandlers auth;
  private final Pool pool;

  public EventRoutes(EventRepository events, AuthHandlers auth, Pool pool) {
    this.events = events;
    this.auth = auth;
    this.pool = pool;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    api.post("/events").handler(auth.organizer()).handler(this::createEvent);
    api.get("/events").handler(auth.organizer()).handler(this::listEvents);
    api.get("/events/:eventId").handler(this::getEvent);
    api.patch("/events/:eventId").handler(auth.organizer()).handler(ctx -> updateEvent(vertx, ctx));
    api.get("/events/:eventId/stats").handler(auth.organizer()).handler(this::stats);
    api.post("/events/:eventId/sessions").handler(auth.organizer()).handler(this::createSession);
    api.get("/events/:eventId/sessions").handler(this::listSessions);
    api.get("/events/:eventId/sessions/:sessionId").handler(this::getSession);
    api.patch("/events/:eventId/sessions/:sessionId").handler(auth.organizer()).handler(this::updateSession);
    api.get("/audit").handler(auth.organizer()).handler(this::audit);
  }

  static EventRepository.Actor actor(RoutingContext ctx, Organizer organizer) {
    return new EventRepository.Actor(organizer.keyName(), ctx.request().remoteAddress().hostAddress());
  }

  private void createEvent(RoutingContext ctx) {
    Organizer organizer = AuthHandlers.organizer(ctx);
    if (!organizer.allEvents()) {
      throw new ProblemException(ProblemType.FORBIDDEN, "API key '" + organizer.keyName()
          + "' is limited to event " + organizer.eventScope() + " and cannot create events");
    }
    EventDefinition definition = EventDefinition.fromJson(RequestBodies.jsonObject(ctx));
    Replies.reply(ctx, events.create(definition, actor(ctx, organizer)), (c, event) -> c.response().setStatusCode(201)
        .putHeader("Location", "/api/events/" + event.id())
        .putHeader("Content-Type", "application/json")
        .end(event.toJson().encode()));
  }

  private void listEvents(RoutingContext ctx) {
    Replies.json(ctx, events.list(AuthHandlers.organizer(ctx).eventScope())
        .map(list -> new JsonObject().put("events", new JsonArray(list.stream().map(Event::toJson).toList()))));
  }

  /** Public: the form and schedule of an event, and whether registration is open with how many seats left. */
  private void getEvent(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Replies.json(ctx, events.get(eventId).compose(event -> events.seats(eventId).map(seats -> event.toJson()
            .put("registration", new JsonObject()
                .put("open", event.definition().registrationOpenAt(java.time.Instant.now()))
                .put("seatsLeft", seats.getInteger("seatsLeft"))))));
  }

  private void updateEvent(Vertx vertx, RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    JsonObject patch = RequestBodies.jsonObject(ctx);
    Replies.json(ctx, events.update(eventId, patch, actor(ctx, organizer)).map(event -> {
      // whether or not the answer is still awaited, every node must drop its cached copy
      EventCatalog.announceChange(vertx, eventId);
      return event.toJson();
    }));
  }

  private void stats(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    AuthHandlers.organizerFor(ctx, eventId);
    Replies.json(ctx, events.seats(eventId));
  }

  private void createSession(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    SessionDefinition definition = SessionDefinition.fromJson(RequestBodies.jsonObject(ctx));
    Replies.reply(ctx, events.createSession(eventId, definition, actor(ctx, organizer)),
        (c, session) -> c.response().setStatusCode(201)
            .putHeader("Location", "/api/events/" + eventId + "/sessions/" + session.id())
            .putHeader("Content-Type", "application/json")
            .end(session.toJson().encode()));
  }

  private void listSessions(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Replies.json(ctx, events.sessions(eventId).map(list -> new JsonObject().put("sessions",
        new JsonArray(list.stream().map(Session::toJson).toList()))));
  }

  private void getSession(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    long sessionId = RequestBodies.idParam(ctx, "sessionId");
    Replies.json(ctx, events.session(eventId, sessionId).map(Session::toJson));
  }

  private void updateSession(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    long sessionId = RequestBodies.idParam(ctx, "sessionId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Replies.json(ctx, events.updateSession(eventId, sessionId, RequestBodies.jsonObject(ctx), actor(ctx, organizer))
        .map(Session::toJson));
  }

  /** The audit trail: newest first, of one event (?eventId=) or, for an all-events key, of everything. */
  private void audit(RoutingContext ctx) {
    Organizer organizer = AuthHandlers.organizer(ctx);
    String eventParam = ctx.request().getParam("eventId");
    Long eventId = eventParam == null ? organizer.eventScope() : parseEventParam(eventParam);
    if (eventId != null) {
      AuthHandlers.organizerFor(ctx, eventId);
    }
    Replies.json(ctx, AuditLog.recent(pool, eventId, 500).map(entries -> new JsonObject().put("entries", entries)));
  }

  private static Long parseEventParam(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "eventId must be a number");
    }
  }
}
