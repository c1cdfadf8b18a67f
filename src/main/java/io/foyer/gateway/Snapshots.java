package io.foyer.gateway;

import io.foyer.http.Times;
import io.foyer.live.LiveState.HistoryEntry;
import io.foyer.live.LiveState.HistorySlice;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.TreeMap;

/**
 * What a client that fell too far behind gets instead of the messages it missed: the current state as the
 * owning capability keeps it. For announcement topics, the latest announcements up to the reset's sequence
 * number, oldest first, each with its seq and id.
 */
final class Snapshots {

  private static final int LATEST = 20;

  private final RegionalStores stores;
  private final TopicAccess topics;

  Snapshots(RegionalStores stores, TopicAccess topics) {
    this.stores = stores;
    this.topics = topics;
  }

  /**
   * The snapshot for a reset at the slice's lastSequence. The slice's entries (the newest messages history
   * still keeps) are taken as they were published; the database gives the older ones, published rows only.
   * A message already in history whose row has no sequence number yet (its publisher has not stored it) is
   * therefore not left out, and nothing numbered after the reset is in it (that comes live).
   */
  Future<JsonObject> of(Topic topic, HistorySlice slice) {
    if (topic.kind() == Topic.Kind.LOBBY || topic.kind() == Topic.Kind.RESULTS) {
      return Future.succeededFuture(new JsonObject());
    }
    long upTo = slice.lastSequence();
    TreeMap<Long, JsonObject> bySeq = new TreeMap<>();
    for (HistoryEntry entry : slice.entries()) {
      if (entry.sequence() <= upTo) {
        JsonObject item = fromHistory(entry);
        if (item != null) {
          bySeq.put(entry.sequence(), item);
        }
      }
    }
    // a topic's announcements are in its event's database
    Future<Pool> pool = stores.regional() ? topics.eventOf(topic).compose(stores::ofEvent)
        : Future.succeededFuture(stores.home());
    return pool.compose(db -> db.preparedQuery(GatewaySql.LATEST_ANNOUNCEMENTS)
            .execute(Tuple.of(topic.name(), upTo, LATEST)))
        .map(rows -> {
          rows.forEach(row -> {
            long seq = row.getLong("sequence");
            JsonObject known = bySeq.get(seq);
            if (known == null) {
              bySeq.put(seq, new JsonObject().put("id", row.getLong("id")).put("seq", seq)
                  .put("title", row.getString("title")).put("body", row.getString("body"))
                  .put("at", Times.format(row.getOffsetDateTime("created_at"))));
            } else if (known.getValue("id") == null) {
              known.put("id", row.getLong("id"));
            }
          });
          while (bySeq.size() > LATEST) {
            bySeq.pollFirstEntry();
          }
          return new JsonObject().put("announcements", new JsonArray(new ArrayList<>(bySeq.values())));
        });
  }

  /** An announcement as history keeps it ({kind, at, data: {id, title, body}}); null for another kind. */
  private static JsonObject fromHistory(HistoryEntry entry) {
    JsonObject message = new JsonObject(entry.payload());
    if (!"announcement".equals(message.getString("kind"))) {
      return null;
    }
    JsonObject data = message.getJsonObject("data", new JsonObject());
    return new JsonObject().put("id", data.getValue("id")).put("seq", entry.sequence())
        .put("title", data.getString("title")).put("body", data.getString("body")).put("at", message.getString("at"));
  }
}
