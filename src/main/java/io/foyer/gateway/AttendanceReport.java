package io.foyer.gateway;

import io.foyer.http.Times;
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

  private static final String MERGED = """
      WITH stays AS (
        SELECT registration_id, joined_at, COALESCE(left_at, now()) AS left_at
          FROM attendance WHERE session_id = $1),
      ordered AS (
        SELECT *, max(left_at) OVER (PARTITION BY registration_id ORDER BY joined_at
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
          FROM stays),
      islands AS (
        SELECT *, sum(CASE WHEN previous_end IS NULL OR joined_at > previous_end THEN 1 ELSE 0 END)
                    OVER (PARTITION BY registration_id ORDER BY joined_at) AS island
          FROM ordered),
      merged AS (
        SELECT registration_id, min(joined_at) AS joined_at, max(left_at) AS left_at
          FROM islands GROUP BY registration_id, island)
      """;

  private static final String SUMMARY = MERGED + """
      , edges AS (
        SELECT joined_at AS at, 1 AS delta FROM merged UNION ALL SELECT left_at, -1 FROM merged),
      running AS (
        SELECT sum(delta) OVER (ORDER BY at, delta) AS present FROM edges)
      SELECT (SELECT count(DISTINCT registration_id) FROM merged) AS unique_attendees,
             (SELECT COALESCE(max(present), 0) FROM running) AS peak_concurrent,
             (SELECT COALESCE(sum(extract(epoch FROM left_at - joined_at)), 0) FROM merged) AS total_seconds""";

  private static final String PER_ATTENDEE = MERGED + """
      SELECT m.registration_id, r.name, r.email, min(m.joined_at) AS first_joined, max(m.left_at) AS last_left,
             sum(extract(epoch FROM m.left_at - m.joined_at)) AS seconds
        FROM merged m JOIN registrations r ON r.id = m.registration_id
       GROUP BY m.registration_id, r.name, r.email ORDER BY first_joined""";

  private final Pool pool;

  AttendanceReport(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> json(long sessionId) {
    return pool.preparedQuery(SUMMARY).execute(Tuple.of(sessionId)).compose(summary -> pool
        .preparedQuery(PER_ATTENDEE).execute(Tuple.of(sessionId)).map(rows -> {
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

  Future<String> csv(long sessionId) {
    return json(sessionId).map(report -> {
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
