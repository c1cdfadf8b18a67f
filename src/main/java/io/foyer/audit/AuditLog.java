package io.foyer.audit;

import io.foyer.http.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The audit trail of organizer actions. An entry is written in the same transaction as the action it
 * describes, so there is never an action without its entry nor an entry for an action that rolled back.
 */
public final class AuditLog {

  private static final String INSERT = "INSERT INTO audit_log (actor, action, event_id, target, details, "
      + "remote_address) VALUES ($1, $2, $3, $4, $5, $6)";
  private static final String BY_EVENT = "SELECT * FROM audit_log WHERE event_id = $1 ORDER BY id DESC LIMIT $2";
  private static final String ALL = "SELECT * FROM audit_log ORDER BY id DESC LIMIT $1";
  private static final String BY_TARGET = "SELECT * FROM audit_log WHERE target = $1 ORDER BY id";

  private AuditLog() {}

  /** Records an entry on the given connection (normally inside the action's transaction). */
  public static Future<Void> record(SqlClient connection, AuditEntry entry) {
    return connection.preparedQuery(INSERT)
        .execute(Tuple.of(entry.actor(), entry.action(), entry.eventId(), entry.target(),
            entry.details() == null ? new JsonObject() : entry.details(), entry.remoteAddress()))
        .mapEmpty();
  }

  /** Newest first; every event when eventId is null. */
  public static Future<JsonArray> recent(SqlClient client, Long eventId, int limit) {
    var query = eventId == null ? client.preparedQuery(ALL).execute(Tuple.of(limit))
        : client.preparedQuery(BY_EVENT).execute(Tuple.of(eventId, limit));
    return query.map(AuditLog::entries);
  }

  /** Every entry about one target (a registration id, a session), oldest first. */
  public static Future<JsonArray> aboutTarget(SqlClient client, String target) {
    return client.preparedQuery(BY_TARGET).execute(Tuple.of(target)).map(AuditLog::entries);
  }

  private static JsonArray entries(Iterable<Row> rows) {
    JsonArray entries = new JsonArray();
    rows.forEach(row -> entries.add(toJson(row)));
    return entries;
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("at", Times.format(row.getOffsetDateTime("at")))
        .put("actor", row.getString("actor"))
        .put("action", row.getString("action"))
        .put("eventId", row.getLong("event_id"))
        .put("target", row.getString("target"))
        .put("details", row.getJsonObject("details"))
        .put("remoteAddress", row.getString("remote_address"));
  }
}
