package io.foyer.registration;

import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.audit.Actor;
import io.foyer.http.Times;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.function.Function;

/** Reads of registrations, attendee updates, and the data-protection operations (export, erasure). */
public final class RegistrationRepository {

  private final RegionalStores stores;

  public RegistrationRepository(RegionalStores stores) {
    this.stores = stores;
  }

  public Future<JsonObject> get(long eventId, UUID registrationId) {
    return stores.ofEvent(eventId).compose(pool -> pool.preparedQuery(RegistrationSql.GET)
        .execute(Tuple.of(registrationId, eventId)))
        .map(rows -> single(rows, registrationId));
  }

  /**
   * A registration's event and standing, asked of every region's database (its id is unique across them), or
   * null when none has it.
   */
  public Future<Row> status(UUID registrationId) {
    return stores.firstFound((region, pool) -> pool.preparedQuery(RegistrationSql.STATUS)
        .execute(Tuple.of(registrationId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next()));
  }

  /**
   * The stored first answer to a request with this Idempotency-Key, as a writer result ({outcome: replayed}),
   * or null when the key is new or its registration was cancelled since. A different body fails with
   * idempotency-key-reused. Looked up before anything else, so a retry gets its answer even after the
   * registration window closed or the form changed.
   */
  public Future<JsonObject> idempotentAnswer(long eventId, String key, String fingerprint) {
    return stores.ofEvent(eventId).compose(pool -> pool.preparedQuery(RegistrationSql.IDEMPOTENT_ANSWER)
        .execute(Tuple.of(eventId, key))).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      if ("cancelled".equals(row.getString("status"))) {
        return null;
      }
      if (!row.getString("fingerprint").equals(fingerprint)) {
        throw new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was already used with a different request body");
      }
      return new JsonObject().put("outcome", "replayed").put("statusCode", row.getInteger("status_code"))
          .put("registration", row.getJsonObject("response"));
    });
  }

  /**
   * Changes what an attendee may change (name, language, answers); the new answers come checked by the
   * caller, who sees the stored registration first through {@code check}.
   */
  public Future<JsonObject> updateDetails(long eventId, UUID registrationId,
      Function<JsonObject, JsonObject> check) {
    return stores.ofEvent(eventId).compose(pool -> pool.withTransaction(connection -> connection
        .preparedQuery(RegistrationSql.LOCK).execute(Tuple.of(registrationId, eventId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(notFound(registrationId));
          }
          Row row = rows.iterator().next();
          requireActive(row, registrationId);
          JsonObject current = new JsonObject().put("name", row.getString("name"))
              .put("language", row.getString("language")).put("answers", row.getJsonObject("answers"));
          JsonObject changed = check.apply(current);
          return connection.preparedQuery(RegistrationSql.UPDATE_DETAILS).execute(Tuple.of(registrationId, eventId,
              changed.getString("name"), changed.getString("language"), changed.getJsonObject("answers")));
        })
        .map(rows -> single(rows, registrationId))));
  }

  /** An organizer's view of one registration; reading personal data is audited like changing it. */
  public Future<JsonObject> view(long eventId, UUID registrationId, Actor actor) {
    return get(eventId, registrationId).compose(registration -> stores.ofEvent(eventId)
        .compose(pool -> audit(pool, actor, "registration.viewed", eventId, registrationId)).map(registration));
  }

  /** A page of an event's registrations, optionally of one status, with the total count. Audited. */
  public Future<JsonObject> list(long eventId, String status, int limit, int offset, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> list(pool, eventId, status, limit, offset, actor));
  }

  private Future<JsonObject> list(Pool pool, long eventId, String status, int limit, int offset, Actor actor) {
    return AuditLog.record(pool, new AuditEntry(actor.name(), "registrations.listed", eventId, "event:" + eventId,
            new JsonObject().put("status", status).put("limit", limit).put("offset", offset), actor.remoteAddress()))
        .compose(v -> pool.preparedQuery(RegistrationSql.COUNT).execute(Tuple.of(eventId, status)))
        .compose(count -> pool.preparedQuery(RegistrationSql.LIST).execute(Tuple.of(eventId, status, limit, offset))
            .map(rows -> {
              JsonArray page = new JsonArray();
              rows.forEach(row -> page.add(row.getValue("registration")));
              return new JsonObject().put("total", count.iterator().next().getLong(0)).put("limit", limit)
                  .put("offset", offset).put("registrations", page);
            }));
  }

  /** Everything Foyer holds about one attendee of an event, for a data subject access request. Audited. */
  public Future<JsonObject> export(long eventId, UUID registrationId, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> export(pool, eventId, registrationId, actor));
  }

  private Future<JsonObject> export(Pool pool, long eventId, UUID registrationId, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(RegistrationSql.GET)
        .execute(Tuple.of(registrationId, eventId))
        .map(rows -> single(rows, registrationId))
        .compose(registration -> connection.preparedQuery(RegistrationSql.IDEMPOTENCY_KEYS)
            .execute(Tuple.of(registrationId))
            .map(keys -> {
              JsonArray requests = new JsonArray();
              keys.forEach(k -> requests.add(new JsonObject().put("idempotencyKey", k.getString("key"))
                  .put("statusCode", k.getInteger("status_code"))
                  .put("at", Times.format(k.getOffsetDateTime("created_at")))));
              return new JsonObject().put("registration", registration).put("requests", requests);
            }))
        .compose(export -> connection.preparedQuery(RegistrationSql.ORIGIN).execute(Tuple.of(registrationId))
            .map(rows -> export.put("origin", origin(rows.iterator().next()))))
        .compose(export -> AuditLog.aboutTarget(connection, target(registrationId))
            .map(audit -> export.put("auditTrail", audit)))
        .compose(export -> audit(connection, actor, "registration.exported", eventId, registrationId)
            .map(export.put("exportedAt", Times.format(java.time.Instant.now())))));
  }

  /**
   * Removes an attendee's personal data (name, email, answers, stored responses). The registration row, its
   * status and so every count stay; the same person may register again later as someone new.
   */
  public Future<JsonObject> erase(long eventId, UUID registrationId, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> erase(pool, eventId, registrationId, actor));
  }

  private Future<JsonObject> erase(Pool pool, long eventId, UUID registrationId, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(RegistrationSql.ERASE)
        .execute(Tuple.of(registrationId, eventId))
        .map(rows -> single(rows, registrationId))
        .compose(erased -> connection.preparedQuery(RegistrationSql.DELETE_IDEMPOTENCY)
            .execute(Tuple.of(registrationId))
            .compose(v -> audit(connection, actor, "registration.erased", eventId, registrationId))
            .map(erased)));
  }

  /** Rows for the CSV export, in registration order; the export itself is audited here. */
  public Future<RowSet<Row>> csvRows(long eventId, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> csvRows(pool, eventId, actor));
  }

  private Future<RowSet<Row>> csvRows(Pool pool, long eventId, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(RegistrationSql.CSV_ROWS)
        .execute(Tuple.of(eventId))
        .compose(rows -> AuditLog.record(connection, new AuditEntry(actor.name(), "registrations.exported", eventId,
            "event:" + eventId, new JsonObject().put("rows", rows.size()), actor.remoteAddress())).map(rows)));
  }

  /** How the registration was made: signed in (provider, subject) and with which invite code, when so. */
  private static JsonObject origin(Row row) {
    JsonObject origin = new JsonObject().put("inviteId", row.getLong("invite_code_id"));
    if (row.getString("sso_subject") != null) {
      origin.put("signIn", new JsonObject().put("provider", row.getString("sso_provider"))
          .put("subject", row.getString("sso_subject")));
    }
    return origin;
  }

  static String target(UUID registrationId) {
    return "registration:" + registrationId;
  }

  static ProblemException notFound(UUID registrationId) {
    return new ProblemException(ProblemType.NOT_FOUND, "no registration " + registrationId + " in this event");
  }

  private static void requireActive(Row row, UUID registrationId) {
    if (row.getOffsetDateTime("erased_at") != null) {
      throw new ProblemException(ProblemType.GONE, "registration " + registrationId + " was erased");
    }
    if ("cancelled".equals(row.getString("status"))) {
      throw new ProblemException(ProblemType.CONFLICT, "registration " + registrationId
          + " is cancelled; register again to change it");
    }
  }

  private static Future<Void> audit(io.vertx.sqlclient.SqlClient connection, Actor actor, String action, long eventId,
      UUID registrationId) {
    return AuditLog.record(connection, new AuditEntry(actor.name(), action, eventId, target(registrationId),
        new JsonObject(), actor.remoteAddress()));
  }

  private static JsonObject single(RowSet<Row> rows, UUID registrationId) {
    if (rows.size() == 0) {
      throw notFound(registrationId);
    }
    return (JsonObject) rows.iterator().next().getValue("registration");
  }
}
