package io.foyer.gateway;

import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
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
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/** Organizer pushes (announcements to an event or a session, direct messages) and attendance reports. */
public final class GatewayRoutes implements ApiRoutes {

  private static final List<String> MEMBERS = List.of("title", "body", "sessionId");
  private static final String INSERT = """
      INSERT INTO announcements (event_id, session_id, registration_id, topic, title, body, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";
  private static final String SET_SEQUENCE = "UPDATE announcements SET sequence = $2 WHERE id = $1";
  private static final String REGISTRATION_EVENT = "SELECT event_id FROM registrations WHERE id = $1";

  private final Gateway gateway;
  private final AuthHandlers auth;
  private final Pool pool;
  private final TopicAccess sessions;
  private final AttendanceReport reports;

  public GatewayRoutes(Gateway gateway, AuthHandlers auth, Pool pool) {
    this.gateway = gateway;
    this.auth = auth;
    this.pool = pool;
    this.sessions = new TopicAccess(pool);
    this.reports = new AttendanceReport(pool);
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    api.post("/events/:eventId/announcements").handler(auth.organizer()).handler(this::announce);
    api.post("/events/:eventId/registrations/:registrationId/messages").handler(auth.organizer())
        .handler(this::message);
    api.get("/events/:eventId/sessions/:sessionId/attendance").handler(auth.organizer()).handler(this::report);
    api.get("/events/:eventId/sessions/:sessionId/attendance.csv").handler(auth.organizer())
        .handler(this::reportCsv);
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
        : sessions.sessionEvent(((Number) session).longValue()).map(event -> {
          if (event != eventId) {
            throw new ProblemException(ProblemType.NOT_FOUND, "no session " + session + " in event " + eventId);
          }
          return Topic.session(((Number) session).longValue());
        });
    Replies.reply(ctx, topic.compose(t -> push(ctx, organizer, eventId, t,
            session == null ? null : ((Number) session).longValue(), null, title, text)), GatewayRoutes::created);
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
    Future<JsonObject> sent = pool.preparedQuery(REGISTRATION_EVENT).execute(Tuple.of(registrationId))
        .compose(rows -> {
          if (rows.size() == 0 || rows.iterator().next().getLong(0) != eventId) {
            return Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
                "no registration " + registrationId + " in event " + eventId));
          }
          return push(ctx, organizer, eventId, Topic.attendee(registrationId), null, registrationId, title, text);
        });
    Replies.reply(ctx, sent, GatewayRoutes::created);
  }

  private static void created(RoutingContext ctx, JsonObject sent) {
    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(sent.encode());
  }

  /**
   * Stores the announcement with its audit entry first, then publishes it: whatever a client receives is
   * already in the snapshot a reset would give, and a failed store pushes nothing. The organizer's 201 means
   * both stored and delivered to every node.
   */
  private Future<JsonObject> push(RoutingContext ctx, Organizer organizer, long eventId, Topic topic, Long sessionId,
      UUID registrationId, String title, String text) {
    return pool.withTransaction(connection -> connection.preparedQuery(INSERT)
            .execute(Tuple.of(eventId, sessionId, registrationId, topic.name(), title, text, organizer.keyName()))
            .map(rows -> rows.iterator().next().getLong(0))
            .compose(id -> AuditLog.record(connection, new AuditEntry(organizer.keyName(), "announcement.sent",
                eventId, topic.name(), new JsonObject().put("announcement", id),
                ctx.request().remoteAddress().hostAddress())).map(id)))
        .compose(id -> gateway.publish(topic, "announcement", new JsonObject().put("title", title).put("body", text))
            .compose(seq -> pool.preparedQuery(SET_SEQUENCE).execute(Tuple.of(id, seq))
                .map(new JsonObject().put("id", id).put("topic", topic.name()).put("seq", seq))));
  }

  private void report(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    long sessionId = RequestBodies.idParam(ctx, "sessionId");
    AuthHandlers.organizerFor(ctx, eventId);
    Replies.json(ctx, sessionOf(eventId, sessionId).compose(v -> reports.json(sessionId)));
  }

  private void reportCsv(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    long sessionId = RequestBodies.idParam(ctx, "sessionId");
    AuthHandlers.organizerFor(ctx, eventId);
    Replies.reply(ctx, sessionOf(eventId, sessionId).compose(v -> reports.csv(sessionId)),
        (c, csv) -> c.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"session-" + sessionId + "-attendance.csv\"")
            .end(csv));
  }

  private Future<Void> sessionOf(long eventId, long sessionId) {
    return sessions.sessionEvent(sessionId).compose(event -> event == eventId ? Future.succeededFuture()
        : Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
            "no session " + sessionId + " in event " + eventId)));
  }
}
