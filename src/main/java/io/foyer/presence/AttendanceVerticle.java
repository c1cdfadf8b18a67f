package io.foyer.presence;

import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.events.EventCatalog;
import io.foyer.store.BatchingWriter;
import io.foyer.bus.Bus;
import io.foyer.presence.PresenceMessages.CloseNodeStays;
import io.foyer.presence.PresenceMessages.Joined;
import io.foyer.presence.PresenceMessages.Left;
import io.foyer.presence.PresenceMessages.ReportRequest;
import io.foyer.store.RegionalStores;
import io.foyer.store.RegionalWriters;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Who was in which session when: a join when an attendee's socket subscribes to a session, a leave when it
 * unsubscribes or goes away, each marked with the node holding the socket. Written through a batching writer,
 * so a keynote starting for 5,000 attendees is a handful of transactions. Also closes the open stays of a
 * node that died, and answers attendance reports.
 */
public final class AttendanceVerticle extends VerticleBase {

  /** A join (registrationId set) or a leave (registrationId null) of one connection in one session. */
  private record Change(long sessionId, UUID registrationId, String connectionId, OffsetDateTime at) {}

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AttendanceVerticle.class);

  private final RegionalStores stores;
  private final EventCatalog catalog;
  private final WriterConfig config;
  private final String nodeId;
  private final MeterRegistry metrics;
  private final AttendanceReport reports;
  /** One per region's database: a session's stays are written to its event's database. */
  private RegionalWriters<Change, Boolean> writers;
  /**
   * The last change routed (on this verticle's context). Changes are handed to their writer in arrival order,
   * even when finding a session's event takes a database read: a leave must never reach its writer before the
   * join it closes.
   */
  private Future<?> routed = Future.succeededFuture();

  public AttendanceVerticle(RegionalStores stores, EventCatalog catalog, WriterConfig config, String nodeId,
      MeterRegistry metrics) {
    this.stores = stores;
    this.catalog = catalog;
    this.config = config;
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.reports = new AttendanceReport(stores);
  }

  @Override
  public Future<?> start() {
    // one batch at a time: a leave must never commit before the join it closes; and no bound on the expected
    // wait: nobody waits for an attendance record, and a refused one is lost, so only the hard limit refuses
    WriterConfig inOrder = new WriterConfig(config.maxBatchRows(), config.linger(), config.maxQueuedRows(), 1,
        Duration.ZERO);
    writers = new RegionalWriters<>(stores, "attendance", (pool, name) -> new BatchingWriter<Change, Boolean>(
        context, pool, inOrder, name, BatchingWriter.Atomicity.TRANSACTION, this::write).withMetrics(metrics));
    return Future.all(
        Bus.<Joined>listen(vertx, PresenceMessages.JOINED,
            joined -> record(new Change(joined.sessionId(), joined.registrationId(), joined.connectionId(),
                joined.at()))),
        Bus.<Left>listen(vertx, PresenceMessages.LEFT,
            left -> record(new Change(left.sessionId(), null, left.connectionId(), left.at()))),
        Bus.serve(vertx, PresenceMessages.CLOSE_NODE_STAYS, this::closeNodeStays),
        Bus.serve(vertx, PresenceMessages.REPORT, (ReportRequest report) -> report.csv()
            ? reports.csv(report.eventId(), report.sessionId()).map(csv -> (Object) csv)
            : reports.json(report.eventId(), report.sessionId()).map(json -> (Object) json)));
  }

  /** Writes every join and leave already accepted. */
  @Override
  public Future<?> stop() {
    return routed.transform(v -> writers.close());
  }

  private void record(Change change) {
    Future<BatchingWriter<Change, Boolean>> writer = stores.regional()
        ? routed.transform(v -> catalog.sessionEvent(change.sessionId()).compose(writers::of))
        : Future.succeededFuture(writers.home());
    routed = writer;
    // attendance must never hold up a socket; a lost record is reported, not retried
    writer.compose(w -> w.submit(change)).onFailure(err -> log.warn("Attendance record lost for session {}: {}",
        change.sessionId(), err.getMessage()));
  }

  /**
   * The stays a dead node left open end at its last heartbeat. Its queued joins died with it, so a stay
   * written later by nobody cannot reopen.
   */
  private Future<Long> closeNodeStays(CloseNodeStays request) {
    // its attendees' stays are in the databases of their events' regions
    return stores.fromEvery(pool -> pool.preparedQuery(AttendanceSql.CLOSE_NODE_STAYS)
            .execute(Tuple.of(request.nodeId(), request.at())).map(rows -> List.of((long) rows.rowCount())))
        .map(closed -> closed.stream().mapToLong(Long::longValue).sum());
  }

  /** Joins first, then leaves, in one transaction: a stay shorter than a batch still gets both ends. */
  private Future<List<Boolean>> write(SqlConnection connection, List<Change> changes) {
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
        : connection.preparedQuery(AttendanceSql.JOINS).execute(Tuple.of(joinSessions.toArray(Long[]::new),
            joinAttendees.toArray(UUID[]::new), joinConnections.toArray(String[]::new),
            joinTimes.toArray(OffsetDateTime[]::new), nodeId));
    return joins.compose(v -> leaveSessions.isEmpty() ? Future.succeededFuture()
            : connection.preparedQuery(AttendanceSql.LEAVES).execute(Tuple.of(leaveSessions.toArray(Long[]::new),
                leaveConnections.toArray(String[]::new), leaveTimes.toArray(OffsetDateTime[]::new))))
        .map(v -> changes.stream().map(c -> Boolean.TRUE).toList());
  }
}
