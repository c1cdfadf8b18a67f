package io.foyer.events;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Events and sessions in PostgreSQL. Every change is one transaction together with its audit entry. */
public final class EventRepository {

  private final Pool pool;

  public EventRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Event> create(EventDefinition definition, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(EventSql.INSERT_EVENT)
        .execute(eventTuple(definition, null))
        .map(rows -> toEvent(rows.iterator().next()))
        .compose(event -> connection.preparedQuery(EventSql.INSERT_SEATS)
            .execute(Tuple.of(event.id(), definition.capacity()))
            .compose(v -> audit(connection, actor, "event.created", event.id(), "event:" + event.id(),
                new JsonObject().put("title", definition.title())))
            .map(event)));
  }

  /**
   * Applies a partial change: the members given replace the stored ones, then the whole event is checked
   * again. A capacity change moves attendees off the waiting list, or is refused below the confirmed count.
   */
  public Future<Event> update(long eventId, JsonObject patch, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(EventSql.LOCK_EVENT).execute(Tuple.of(eventId))
        .map(rows -> requireEvent(rows, eventId))
        .compose(current -> {
          EventDefinition changed = EventDefinition.fromJson(current.definition().toJson().mergeIn(patch));
          return applyCapacity(connection, eventId, current.definition().capacity(), changed.capacity())
              .compose(promoted -> connection.preparedQuery(EventSql.UPDATE_EVENT)
                  .execute(eventTuple(changed, eventId))
                  .map(rows -> toEvent(rows.iterator().next()))
                  .compose(event -> audit(connection, actor, "event.updated", eventId, "event:" + eventId,
                      new JsonObject().put("changed", new JsonArray(new ArrayList<>(patch.fieldNames())))
                          .put("promotedFromWaitlist", promoted))
                      .map(event)));
        }));
  }

  public Future<Event> get(long eventId) {
    return pool.preparedQuery(EventSql.SELECT_EVENT).execute(Tuple.of(eventId)).map(rows -> requireEvent(rows, eventId));
  }

  /** Events an organizer may see: all, or the one its key is scoped to. */
  public Future<List<Event>> list(Long onlyEvent) {
    Future<RowSet<Row>> rows = onlyEvent == null ? pool.query(EventSql.LIST_EVENTS).execute()
        : pool.preparedQuery(EventSql.SELECT_EVENT).execute(Tuple.of(onlyEvent));
    return rows.map(set -> {
      List<Event> events = new ArrayList<>();
      set.forEach(row -> events.add(toEvent(row)));
      return events;
    });
  }

  /** Seat counts: capacity, confirmed, waitlisted, cancelled. */
  public Future<JsonObject> seats(long eventId) {
    return pool.preparedQuery(EventSql.SEATS).execute(Tuple.of(eventId)).map(rows -> {
      if (rows.size() == 0) {
        throw notFound(eventId);
      }
      Row row = rows.iterator().next();
      Integer capacity = row.getInteger("capacity");
      int confirmed = row.getInteger("confirmed");
      return new JsonObject().put("capacity", capacity).put("confirmed", confirmed)
          .put("waitlisted", row.getInteger("waitlisted")).put("cancelled", row.getLong("cancelled"))
          .put("seatsLeft", capacity == null ? null : capacity - confirmed);
    });
  }

  public Future<Session> createSession(long eventId, SessionDefinition definition, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(EventSql.LOCK_EVENT).execute(Tuple.of(eventId))
        .map(rows -> requireEvent(rows, eventId))
        .compose(event -> connection.preparedQuery(EventSql.INSERT_SESSION)
            .execute(sessionInsert(eventId, definition)))
        .map(rows -> toSession(rows.iterator().next()))
        .compose(session -> audit(connection, actor, "session.created", eventId, "session:" + session.id(),
            new JsonObject().put("title", definition.title())).map(session)));
  }

  public Future<Session> updateSession(long eventId, long sessionId, JsonObject patch, Actor actor) {
    return pool.withTransaction(connection -> connection.preparedQuery(EventSql.LOCK_SESSION)
        .execute(Tuple.of(sessionId, eventId))
        .map(rows -> requireSession(rows, eventId, sessionId))
        .compose(current -> {
          SessionDefinition changed = SessionDefinition.fromJson(current.definition().toJson().mergeIn(patch));
          Tuple params = Tuple.of(sessionId, eventId);
          sessionTuple(changed).forEach(params::addValue);
          return connection.preparedQuery(EventSql.UPDATE_SESSION).execute(params);
        })
        .map(rows -> toSession(rows.iterator().next()))
        .compose(session -> audit(connection, actor, "session.updated", eventId, "session:" + sessionId,
            new JsonObject().put("changed", new JsonArray(new ArrayList<>(patch.fieldNames())))).map(session)));
  }

  public Future<Session> session(long eventId, long sessionId) {
    return pool.preparedQuery(EventSql.SELECT_SESSION).execute(Tuple.of(sessionId, eventId))
        .map(rows -> requireSession(rows, eventId, sessionId));
  }

  public Future<List<Session>> sessions(long eventId) {
    return get(eventId).compose(event -> pool.preparedQuery(EventSql.LIST_SESSIONS).execute(Tuple.of(eventId)))
        .map(rows -> {
          List<Session> sessions = new ArrayList<>();
          rows.forEach(row -> sessions.add(toSession(row)));
          return sessions;
        });
  }

  static ProblemException notFound(long eventId) {
    return new ProblemException(ProblemType.NOT_FOUND, "no event " + eventId);
  }

  private Future<Integer> applyCapacity(SqlConnection connection, long eventId, Integer before, Integer after) {
    if (Objects.equals(before, after)) {
      return Future.succeededFuture(0);
    }
    return connection.preparedQuery(EventSql.SET_CAPACITY).execute(Tuple.of(eventId, after))
        .map(rows -> rows.iterator().next().getInteger("promoted"))
        .recover(err -> Future.failedFuture(err instanceof PgException pg && "23514".equals(pg.getSqlState())
            ? new ProblemException(ProblemType.CONFLICT, pg.getErrorMessage()) : err));
  }

  private static Future<Void> audit(SqlConnection connection, Actor actor, String action, long eventId,
      String target, JsonObject details) {
    return AuditLog.record(connection, new AuditEntry(actor.name(), action, eventId, target, details,
        actor.remoteAddress()));
  }

  private static Tuple eventTuple(EventDefinition d, Long id) {
    Tuple tuple = id == null ? Tuple.tuple() : Tuple.of(id);
    return tuple.addString(d.title()).addString(d.description()).addOffsetDateTime(utc(d.startsAt()))
        .addOffsetDateTime(utc(d.endsAt())).addString(d.timeZone()).addString(d.defaultLanguage())
        .addInteger(d.capacity()).addOffsetDateTime(utc(d.registrationOpensAt()))
        .addOffsetDateTime(utc(d.registrationClosesAt()))
        .addValue(new JsonArray(d.fields().stream().map(RegistrationField::toJson).toList()))
        .addString(d.registrationMode().value());
  }

  private static Tuple sessionInsert(long eventId, SessionDefinition d) {
    Tuple tuple = Tuple.of(eventId);
    sessionTuple(d).forEach(tuple::addValue);
    return tuple;
  }

  private static List<Object> sessionTuple(SessionDefinition d) {
    List<Object> values = new ArrayList<>();
    values.add(d.title());
    values.add(d.description());
    values.add(d.track());
    values.add(d.room());
    values.add(d.streamUrl());
    values.add(utc(d.startsAt()));
    values.add(utc(d.endsAt()));
    values.add(d.language());
    values.add(d.capacity());
    return values;
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Event requireEvent(RowSet<Row> rows, long eventId) {
    if (rows.size() == 0) {
      throw notFound(eventId);
    }
    return toEvent(rows.iterator().next());
  }

  private static Session requireSession(RowSet<Row> rows, long eventId, long sessionId) {
    if (rows.size() == 0) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no session " + sessionId + " in event " + eventId);
    }
    return toSession(rows.iterator().next());
  }

  static Event toEvent(Row row) {
    // stored fields were checked when written; a fresh Validation just absorbs the (absent) problems
    Validation stored = new Validation();
    EventDefinition definition = new EventDefinition(
        row.getString("title"), row.getString("description"),
        row.getOffsetDateTime("starts_at").toInstant(), row.getOffsetDateTime("ends_at").toInstant(),
        row.getString("time_zone"), row.getString("default_language"), row.getInteger("capacity"),
        instant(row, "registration_opens_at"), instant(row, "registration_closes_at"),
        RegistrationField.listFromJson(row.getJsonArray("fields"), stored),
        RegistrationMode.of(row.getString("registration_mode")));
    return new Event(row.getLong("id"), definition, instant(row, "created_at"), instant(row, "updated_at"));
  }

  private static Session toSession(Row row) {
    SessionDefinition definition = new SessionDefinition(row.getString("title"), row.getString("description"),
        row.getString("track"), row.getString("room"), row.getString("stream_url"),
        instant(row, "starts_at"), instant(row, "ends_at"), row.getString("language"), row.getInteger("capacity"));
    return new Session(row.getLong("id"), row.getLong("event_id"), definition, instant(row, "created_at"),
        instant(row, "updated_at"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
