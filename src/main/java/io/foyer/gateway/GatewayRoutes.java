package io.foyer.gateway;

import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
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
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Organizer pushes: announcements to an event or a session, and direct messages to one attendee. Either may
 * carry an Idempotency-Key, so that a retry after a failure or a lost answer sends the announcement once.
 */
public final class GatewayRoutes implements ApiRoutes {

  private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);
  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

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
        : catalog.sessionEvent(((Number) session).longValue()).map(event -> {
          if (event != eventId) {
            throw new ProblemException(ProblemType.NOT_FOUND, "no session " + session + " in event " + eventId);
          }
          return Topic.session(((Number) session).longValue());
        });
    Announcement announcement = new Announcement(eventId, session == null ? null : ((Number) session).longValue(),
        null, title, text, key, key == null ? null : RegistrationRequest.fingerprint(body));
    topic.compose(t -> push(ctx, organizer, t, announcement))
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
          return push(ctx, organizer, Topic.attendee(registrationId), announcement);
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

  /** What an organizer asked to push, as checked; key and fingerprint are null without an Idempotency-Key. */
  private record Announcement(long eventId, Long sessionId, UUID registrationId, String title, String text,
      String key, String fingerprint) {}

  /**
   * Stores the announcement with its audit entry first, then publishes it and stores its sequence number:
   * whatever a client receives is in the database, and a failed store pushes nothing. The organizer's 201
   * means both stored and delivered to every node. A failed publish leaves the stored announcement without a
   * sequence number (in no snapshot); a retry with the same Idempotency-Key publishes that one.
   */
  private Future<JsonObject> push(RoutingContext ctx, Organizer organizer, Topic topic, Announcement announcement) {
    if (announcement.key() == null) {
      return pool.withTransaction(connection -> store(ctx, connection, organizer, topic, announcement,
              GatewaySql.INSERT_ANNOUNCEMENT))
          .compose(id -> publish(topic, id, announcement.title(), announcement.text())
              .compose(seq -> pool.preparedQuery(GatewaySql.SET_ANNOUNCEMENT_SEQUENCE).execute(Tuple.of(id, seq))
                  .map(sent(id, topic, seq))));
    }
    return pool.withTransaction(connection -> store(ctx, connection, organizer, topic, announcement,
            GatewaySql.INSERT_KEYED_ANNOUNCEMENT))
        .compose(ignored -> pool.withTransaction(connection -> publishOnce(connection, announcement)));
  }

  /**
   * Inserts the announcement and audits it; with a key already used in the event, inserts nothing and
   * completes with null.
   */
  private Future<Long> store(RoutingContext ctx, SqlConnection connection, Organizer organizer, Topic topic,
      Announcement a, String sql) {
    Tuple values = Tuple.of(a.eventId(), a.sessionId(), a.registrationId(), topic.name(), a.title(), a.text(),
        organizer.keyName());
    if (a.key() != null) {
      values.addString(a.key()).addString(a.fingerprint());
    }
    return connection.preparedQuery(sql).execute(values).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      long id = rows.iterator().next().getLong(0);
      return AuditLog.record(connection, new AuditEntry(organizer.keyName(), "announcement.sent", a.eventId(),
          topic.name(), new JsonObject().put("announcement", id), ctx.request().remoteAddress().hostAddress()))
          .map(id);
    });
  }

  /**
   * With the keyed announcement locked: the same answer again if it was published, else publishes it now
   * and stores its sequence number. Two concurrent requests with one key publish it once.
   */
  private Future<JsonObject> publishOnce(SqlConnection connection, Announcement announcement) {
    return connection.preparedQuery(GatewaySql.LOCK_KEYED_ANNOUNCEMENT)
        .execute(Tuple.of(announcement.eventId(), announcement.key())).compose(rows -> {
          Row row = rows.iterator().next();
          if (!row.getString("fingerprint").equals(announcement.fingerprint())) {
            return Future.failedFuture(new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED,
                "this Idempotency-Key was already used with a different request"));
          }
          long id = row.getLong("id");
          Topic topic = Topic.parse(row.getString("topic"));
          Long sequence = row.getLong("sequence");
          if (sequence != null) {
            return Future.succeededFuture(sent(id, topic, sequence));
          }
          return publish(topic, id, row.getString("title"), row.getString("body"))
              .compose(seq -> connection.preparedQuery(GatewaySql.SET_ANNOUNCEMENT_SEQUENCE)
                  .execute(Tuple.of(id, seq)).map(sent(id, topic, seq)));
        });
  }

  /**
   * Publishes a stored announcement; its id goes along so that clients can recognise it. Any failure of the
   * live state is worth a retry: answered 503 unavailable.
   */
  private Future<Long> publish(Topic topic, long id, String title, String text) {
    return gateway.publish(topic, "announcement", new JsonObject().put("id", id).put("title", title)
        .put("body", text)).recover(failure -> {
          if (failure instanceof ProblemException) {
            return Future.failedFuture(failure);
          }
          log.warn("Announcement {} stored but not published on {}", id, topic.name(), failure);
          return Future.failedFuture(new ProblemException(ProblemType.UNAVAILABLE,
              "the announcement could not be published now; retry (with an Idempotency-Key, a retry sends it once)"));
        });
  }

  private static JsonObject sent(long id, Topic topic, long seq) {
    return new JsonObject().put("id", id).put("topic", topic.name()).put("seq", seq);
  }
}
