package io.foyer.presence;

import io.foyer.http.Times;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * An organizer's attendance report for a session. Overlapping stays of one attendee (two tabs, a reconnect)
 * are merged first, so nobody is counted twice, then: unique attendees, peak concurrent attendees, total and
 * average time attended, and per attendee their first join, last leave and time attended.
 */
final class AttendanceReport {

  private final RegionalStores stores;

  AttendanceReport(RegionalStores stores) {
    this.stores = stores;
  }

  /** The report of a session of the event, from the event's database. */
  Future<JsonObject> json(long eventId, long sessionId) {
    return stores.ofEvent(eventId).compose(pool -> json(pool, sessionId));
  }

  private Future<JsonObject> json(Pool pool, long sessionId) {
    return pool.preparedQuery(AttendanceSql.SUMMARY).execute(Tuple.of(sessionId)).compose(summary -> pool
        .preparedQuery(AttendanceSql.PER_ATTENDEE).execute(Tuple.of(sessionId)).map(rows -> {
          Row totals = summary.iterator().next();
          long unique = totals.getLong("unique_attendees");
          double total = totals.getNumeric("total_seconds").doubleValue();
          JsonArray attendees = new JsonArray();
          rows.forEach(row -> attendees.add(new JsonObject()
              .put("registrationId", row.getUUID("registration_id").toString())
              .put("name", row.getString("name")).put("email", row.getString("email"))
              .put("firstJoinedAt", Times.format(row.getOffsetDateTime("first_joined")))
              .put("lastLeftAt", Times.format(row.getOffsetDateTime("last_left")))
              .put("secondsAttended", Math.round(row.getNumeric("seconds").doubleValue()))));
          return new JsonObject().put("sessionId", sessionId).put("uniqueAttendees", unique)
              .put("peakConcurrent", totals.getLong("peak_concurrent"))
              .put("totalSecondsAttended", Math.round(total))
              .put("averageSecondsAttended", unique == 0 ? 0 : Math.round(total / unique))
              .put("attendees", attendees);
        }));
  }

  Future<String> csv(long eventId, long sessionId) {
    return json(eventId, sessionId).map(report -> {
      StringWriter out = new StringWriter();
      try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader("registration_id", "name",
          "email", "first_joined_at", "last_left_at", "seconds_attended").get())) {
        for (Object item : report.getJsonArray("attendees")) {
          JsonObject a = (JsonObject) item;
          csv.printRecord(a.getString("registrationId"), a.getString("name"), a.getString("email"),
              a.getString("firstJoinedAt"), a.getString("lastLeftAt"), a.getLong("secondsAttended"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    });
  }
}
