package io.foyer.gateway;

import io.foyer.http.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * What a client that fell too far behind gets instead of the messages it missed: the current state as the
 * owning capability keeps it. For announcement topics, the latest announcements from the database.
 */
final class Snapshots {

  private static final int LATEST = 20;

  private final Pool pool;

  Snapshots(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> of(Topic topic) {
    if (topic.kind() == Topic.Kind.LOBBY) {
      return Future.succeededFuture(new JsonObject());
    }
    return pool.preparedQuery(GatewaySql.LATEST_ANNOUNCEMENTS).execute(Tuple.of(topic.name(), LATEST)).map(rows -> {
      JsonArray announcements = new JsonArray();
      rows.forEach(row -> announcements.add(new JsonObject().put("id", row.getLong("id"))
          .put("seq", row.getLong("sequence")).put("title", row.getString("title"))
          .put("body", row.getString("body")).put("at", Times.format(row.getOffsetDateTime("created_at")))));
      return new JsonObject().put("announcements", announcements);
    });
  }
}
