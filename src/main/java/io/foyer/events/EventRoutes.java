package io.foyer.events;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
import io.foyer.events.EventMessages.AuditTrail;
import io.foyer.events.EventMessages.CreateEvent;
import io.foyer.events.EventMessages.CreateSession;
import io.foyer.events.EventMessages.ListEvents;
import io.foyer.events.EventMessages.OfEvent;
import io.foyer.events.EventMessages.OfSession;
import io.foyer.events.EventMessages.UpdateEvent;
import io.foyer.events.EventMessages.UpdateSession;
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

/**
 * The organizer API for events and sessions, and the public read of an event (its registration form and
 * programme) that attendees' pages need.
 */
public final class EventRoutes implements ApiRoutes {

  private final AuthHandlers auth;

  public EventRoutes(AuthHandlers auth) {
    this.auth = auth;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    api.post("/events").handler(auth.organizer()).handler(this::createEvent);
    api.get("/events").handler(auth.organizer()).handler(this::listEvents);
    api.get("/events/:eventId").handler(this::getEvent);
    api.patch("/events/:eventId").handler(auth.organizer()).handler(this::updateEvent);
    api.get("/events/:eventId/stats").handler(auth.organizer()).handler(this::stats);
    api.post("/events/:eventId/sessions").handler(auth.organizer()).handler(this::createSession);
    api.get("/events/:eventId/sessions").handler(this::listSessions);
    api.get("/events/:eventId/sessions/:sessionId").handler(this::getSession);
    api.patch("/events/:eventId/sessions/:sessionId").handler(auth.organizer()).handler(this::updateSession);
    api.get("/audit").handler(auth.organizer()).handler(this::audit);
  }

  private void createEvent(RoutingContext ctx) {
    Organizer organizer = AuthHandlers.organizer(ctx);
    if (!organizer.allEvents()) {
      throw new ProblemException(ProblemType.FORBIDDEN, "API key '" + organizer.keyName()
          + "' is limited to event " + organizer.eventScope() + " and cannot create events");
    }
    JsonObject body = RequestBodies.jsonObject(ctx).copy();
    String homeRegion = homeRegion(body.remove("homeRegion"));
    EventDefinition definition = EventDefinition.fromJson(body);
    Bus.<Event>request(ctx.vertx(), EventMessages.CREATE,
            new CreateEvent(definition, homeRegion, AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, event -> created(ctx, "/api/events/" + event.id(), event.toJson())));
  }

  /** The region asked for, or null for the creating node's; whether the deployment has it is the store's to say. */
  private static String homeRegion(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String region) || region.isBlank()) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "homeRegion must be the name of a region, e.g. eu-west");
    }
    return region;
  }

  private void listEvents(RoutingContext ctx) {
    Bus.<JsonArray>request(ctx.vertx(), EventMessages.LIST, new ListEvents(AuthHandlers.organizer(ctx).eventScope()))
        .onComplete(Replies.to(ctx, list -> ctx.json(new JsonObject().put("events", list))));
  }

  /** Public: the form and schedule of an event, and whether registration is open with how many seats left. */
  private void getEvent(RoutingContext ctx) {
    answer(ctx, EventMessages.GET, new OfEvent(RequestBodies.idParam(ctx, "eventId")));
  }

  private void updateEvent(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Bus.<Event>request(ctx.vertx(), EventMessages.UPDATE,
            new UpdateEvent(eventId, RequestBodies.jsonObject(ctx), AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, event -> ctx.json(event.toJson())));
  }

  private void stats(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    AuthHandlers.organizerFor(ctx, eventId);
    answer(ctx, EventMessages.STATS, new OfEvent(eventId));
  }

  private void createSession(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    SessionDefinition definition = SessionDefinition.fromJson(RequestBodies.jsonObject(ctx));
    Bus.<Session>request(ctx.vertx(), EventMessages.CREATE_SESSION,
            new CreateSession(eventId, definition, AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, session -> created(ctx, "/api/events/" + eventId + "/sessions/" + session.id(), session.toJson())));
  }

  private void listSessions(RoutingContext ctx) {
    Bus.<JsonArray>request(ctx.vertx(), EventMessages.LIST_SESSIONS, new OfEvent(RequestBodies.idParam(ctx, "eventId")))
        .onComplete(Replies.to(ctx, list -> ctx.json(new JsonObject().put("sessions", list))));
  }

  private void getSession(RoutingContext ctx) {
    OfSession request = new OfSession(RequestBodies.idParam(ctx, "eventId"), RequestBodies.idParam(ctx, "sessionId"));
    Bus.<Session>request(ctx.vertx(), EventMessages.GET_SESSION, request)
        .onComplete(Replies.to(ctx, session -> ctx.json(session.toJson())));
  }

  private void updateSession(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    long sessionId = RequestBodies.idParam(ctx, "sessionId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Bus.<Session>request(ctx.vertx(), EventMessages.UPDATE_SESSION,
            new UpdateSession(eventId, sessionId, RequestBodies.jsonObject(ctx), AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, session -> ctx.json(session.toJson())));
  }

  /** The audit trail: newest first, of one event (?eventId=) or, for an all-events key, of everything. */
  private void audit(RoutingContext ctx) {
    Organizer organizer = AuthHandlers.organizer(ctx);
    String eventParam = ctx.request().getParam("eventId");
    Long eventId = eventParam == null ? organizer.eventScope() : parseEventParam(eventParam);
    if (eventId != null) {
      AuthHandlers.organizerFor(ctx, eventId);
    }
    Bus.<JsonArray>request(ctx.vertx(), EventMessages.AUDIT_TRAIL, new AuditTrail(eventId))
        .onComplete(Replies.to(ctx, entries -> ctx.json(new JsonObject().put("entries", entries))));
  }

  private static void answer(RoutingContext ctx, String address, Object request) {
    Bus.<JsonObject>request(ctx.vertx(), address, request).onComplete(Replies.to(ctx, ctx::json));
  }

  private static void created(RoutingContext ctx, String location, JsonObject body) {
    ctx.response().setStatusCode(201).putHeader("Location", location).putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  private static Long parseEventParam(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "eventId must be a number");
    }
  }
}
