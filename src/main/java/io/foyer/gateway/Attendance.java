package io.foyer.gateway;

import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.store.BatchingWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Who was in which session when: a join when an attendee's socket subscribes to a session, a leave when it
 * unsubscribes or goes away. Written through a batching writer, so a keynote starting for 5,000 attendees is
 * a handful of transactions.
 */
final class Attendance {

  /** A join (registrationId set) or a leave (registrationId null) of one connection in one session. */
  record Change(long sessionId, UUID registrationId, String connectionId, OffsetDateTime at) {}

  private static final String JOINS = """
      INSERT INTO attendance (session_id, registration_id, connection_id, joined_at)
      SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::timestamptz[])
      ON CONFLICT DO NOTHING""";
  private static final String LEAVES = """
      UPDATE attendance a SET left_at = x.left_at
        FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS x(session_id, connection_id, left_at)
       WHERE a.session_id = x.session_id AND a.connection_id = x.connection_id AND a.left_at IS NULL""";

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Attendance.class);

  private final BatchingWriter<Change, Boolean> writer;

  Attendance(Vertx vertx, Pool pool, WriterConfig config) {
    // one batch at a time: a leave must never commit before the join it closes
    WriterConfig inOrder = new WriterConfig(config.maxBatchRows(), config.linger(), config.maxQueuedRows(), 1);
    this.writer = new BatchingWriter<>(vertx, pool, inOrder, "attendance", Attendance::write);
  }

  void joined(long sessionId, UUID registrationId, String connectionId) {
    record(new Change(sessionId, registrationId, connectionId, now()));
  }

  void left(long sessionId, String connectionId) {
    record(new Change(sessionId, null, connectionId, now()));
  }

  private void record(Change change) {
    // attendance must never hold up a socket; a lost record is reported, not retried
    writer.submit(change).onFailure(err -> log.warn("Attendance record lost for session {}: {}", change.sessionId(),
        err.getMessage()));
  }

  BatchingWriter<Change, Boolean> writer() {
    return writer;
  }

  Future<Void> close() {
    return writer.close();
  }

  /** Joins first, then leaves, in one transaction: a stay shorter than a batch still gets both ends. */
  private static Future<List<Boolean>> write(SqlConnection connection, List<Change> changes) {
    List<Long> joinSessions = new ArrayList<>();
    List<UUID> joinAttendees = new ArrayList<>();
    List<String> joinConnections = new ArrayList<>();
    List<OffsetDateTime> joinTimes = new ArrayList<>();
    List<Long> leaveSessions = new ArrayList<>();
    List<String> leaveConnections = new ArrayList<>();
    List<OffsetDateTime> leaveTimes = new ArrayList<>();
    for (Change change : changes) {
      if (change.registrationId() != null) {
        joinSessions.add(change.sessionId());
        joinAttendees.add(change.registrationId());
        joinConnections.add(change.connectionId());
        joinTimes.add(change.at());
      } else {
        leaveSessions.add(change.sessionId());
        leaveConnections.add(change.connectionId());
        leaveTimes.add(change.at());
      }
    }
    Future<?> joins = joinSessions.isEmpty() ? Future.succeededFuture()
        : connection.preparedQuery(JOINS).execute(Tuple.of(joinSessions.toArray(Long[]::new),
            joinAttendees.toArray(UUID[]::new), joinConnections.toArray(String[]::new),
            joinTimes.toArray(OffsetDateTime[]::new)));
    return joins.compose(v -> leaveSessions.isEmpty() ? Future.succeededFuture()
            : connection.preparedQuery(LEAVES).execute(Tuple.of(leaveSessions.toArray(Long[]::new),
                leaveConnections.toArray(String[]::new), leaveTimes.toArray(OffsetDateTime[]::new))))
        .map(v -> changes.stream().map(c -> Boolean.TRUE).toList());
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}
