package io.foyer.gateway;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.bus.Bus;
import io.foyer.gateway.GatewayMessages.Announce;
import io.foyer.gateway.GatewayMessages.Announcement;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Organizers' announcements and direct messages: each is stored (with its audit entry) before it is pushed,
 * so whatever an attendee receives is in the database for the snapshots of a reset. An announcement with an
 * Idempotency-Key is pushed once, however often it is retried.
 */
final class AnnouncementsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AnnouncementsVerticle.class);

  private final Gateway gateway;
  private final RegionalStores stores;

  AnnouncementsVerticle(Gateway gateway, RegionalStores stores) {
    this.gateway = gateway;
    this.stores = stores;
  }

  @Override
  public Future<?> start() {
    return Bus.serve(vertx, GatewayMessages.ANNOUNCE, this::push);
  }

  /**
   * Stores the announcement with its audit entry first, then publishes it and stores its sequence number:
   * whatever a client receives is in the database, and a failed store pushes nothing. The organizer's 201
   * means both stored and delivered to every node. A failed publish leaves the stored announcement without a
   * sequence number (in no snapshot); a retry with the same Idempotency-Key publishes that one.
   */
  private Future<JsonObject> push(Announce request) {
    // stored in the database of the announcement's event, like everything under the event
    return stores.ofEvent(request.announcement().eventId()).compose(pool -> pushIn(pool, request));
  }

  private Future<JsonObject> pushIn(Pool pool, Announce request) {
    Topic topic = request.topic();
    Announcement announcement = request.announcement();
    if (announcement.key() == null) {
      return pool.withTransaction(connection -> store(connection, request.actor(), topic, announcement,
              GatewaySql.INSERT_ANNOUNCEMENT))
          .compose(id -> publish(topic, id, announcement.title(), announcement.text())
              .compose(seq -> pool.preparedQuery(GatewaySql.SET_ANNOUNCEMENT_SEQUENCE).execute(Tuple.of(id, seq))
                  .map(sent(id, topic, seq))));
    }
    return pool.withTransaction(connection -> store(connection, request.actor(), topic, announcement,
            GatewaySql.INSERT_KEYED_ANNOUNCEMENT))
        .compose(ignored -> pool.withTransaction(connection -> publishOnce(connection, announcement)));
  }

  /**
   * Inserts the announcement and audits it; with a key already used in the event, inserts nothing and
   * completes with null.
   */
  private Future<Long> store(SqlConnection connection, Actor actor, Topic topic,
      Announcement a, String sql) {
    Tuple values = Tuple.of(a.eventId(), a.sessionId(), a.registrationId(), topic.name(), a.title(), a.text(),
        actor.name());
    if (a.key() != null) {
      values.addString(a.key()).addString(a.fingerprint());
    }
    return connection.preparedQuery(sql).execute(values).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      long id = rows.iterator().next().getLong(0);
      return AuditLog.record(connection, new AuditEntry(actor.name(), "announcement.sent", a.eventId(),
          topic.name(), new JsonObject().put("announcement", id), actor.remoteAddress()))
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
   * Publishes a stored announcement; its id goes along so that clients can recognise it. LiveState being
   * unreachable is answered 503 unavailable like any transient failure (Bus); a retry with the same
   * Idempotency-Key then publishes this stored announcement once.
   */
  private Future<Long> publish(Topic topic, long id, String title, String text) {
    return gateway.publish(topic, "announcement", new JsonObject().put("id", id).put("title", title)
        .put("body", text))
        .onFailure(failure -> log.warn("Announcement {} stored but not published on {}: {}", id, topic.name(),
            failure.toString()));
  }

  private static JsonObject sent(long id, Topic topic, long seq) {
    return new JsonObject().put("id", id).put("topic", topic.name()).put("seq", seq);
  }
}
