package io.foyer.events;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores.Home;
import io.foyer.store.RegionalStores;
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

/**
 * Events and sessions in PostgreSQL, each event in its home region's database with everything under it. Every
 * change is one transaction together with its audit entry.
 */
public final class EventRepository {

  /** As many events as one database's listing gives (EventSql.LIST_EVENTS). */
  private static final int LIST_LIMIT = 1000;

  private final RegionalStores stores;

  public EventRepository(RegionalStores stores) {
    this.stores = stores;
  }

  /** One database for everything, in the default region "local": for tests of this capability alone. */
  public EventRepository(Pool pool) {
    this(RegionalStores.single("local", pool));
  }

  public Future<Event> create(EventDefinition definition, Actor actor) {
    return create(definition, null, actor);
  }

  /**
   * Creates the event in its home region's database (homeRegion null: this node's region); an unknown region is
   * refused with 400 before anything is written.
   */
  public Future<Event> create(EventDefinition definition, String homeRegion, Actor actor) {
    String region = homeRegion == null ? stores.homeRegion() : homeRegion;
    if (!stores.knows(region)) {
      return Future.failedFuture(new ProblemException(ProblemType.BAD_REQUEST, "homeRegion '" + region
          + "' is not a region of this deployment; known: " + String.join(", ", stores.all().keySet())));
    }
    Pool pool = stores.ofRegion(region);
    return stores.newId("events").compose(id -> pool.withTransaction(connection -> connection
        .preparedQuery(EventSql.INSERT_EVENT)
        .execute(eventTuple(definition, null).addString(stores.regional() ? region : null).addLong(id))
        .map(rows -> toEvent(rows.iterator().next(), region))
        .compose(event -> connection.preparedQuery(EventSql.INSERT_SEATS)
            .execute(Tuple.of(event.id(), definition.capacity()))
            .compose(v -> audit(connection, actor, "event.created", event.id(), "event:" + event.id(),
                new JsonObject().put("title", definition.title()).put("homeRegion", region)))
            .map(event))))
        .onSuccess(event -> stores.remember(event.id(), region));
  }

  /**
   * Applies a partial change: the members given replace the stored ones, then the whole event is checked
   * again. A capacity change moves attendees off the waiting list, or is refused below the confirmed count.
   */
  public Future<Event> update(long eventId, JsonObject patch, Actor actor) {
    return stores.homeOf(eventId).compose(home -> update(home, eventId, patch, actor));
  }

  private Future<Event> update(Home home, long eventId, JsonObject patch, Actor actor) {
    return home.pool().withTransaction(connection -> connection.preparedQuery(EventSql.LOCK_EVENT)
        .execute(Tuple.of(eventId))
        .map(rows -> requireEvent(rows, eventId, home.region()))
        .compose(current -> {
          EventDefinition changed = EventDefinition.fromJson(current.definition().toJson()
              .mergeIn(withoutHomeRegion(current, patch)));
          return applyCapacity(connection, eventId, current.definition().capacity(), changed.capacity())
              .compose(promoted -> connection.preparedQuery(EventSql.UPDATE_EVENT)
                  .execute(eventTuple(changed, eventId))
                  .map(rows -> toEvent(rows.iterator().next(), home.region()))
                  .compose(event -> audit(connection, actor, "event.updated", eventId, "event:" + eventId,
                      new JsonObject().put("changed", new JsonArray(new ArrayList<>(patch.fieldNames())))
                          .put("promotedFromWaitlist", promoted))
                      .map(event)));
        }));
  }

  public Future<Event> get(long eventId) {
    return stores.homeOf(eventId).compose(home -> home.pool().preparedQuery(EventSql.SELECT_EVENT)
        .execute(Tuple.of(eventId)).map(rows -> requireEvent(rows, eventId, home.region())));
  }

  /**
   * Events an organizer may see: all (of every region, in the order of one database: by start, then id), or the
   * one its key is scoped to (none when no region has it).
   */
  public Future<List<Event>> list(Long onlyEvent) {
    if (onlyEvent != null) {
      return get(onlyEvent).map(List::of).recover(err -> err instanceof ProblemException p
          && p.type() == ProblemType.NOT_FOUND ? Future.succeededFuture(List.of()) : Future.failedFuture(err));
    }
    List<Future<List<Event>>> perRegion = new ArrayList<>();
    stores.all().forEach((region, pool) -> perRegion.add(pool.query(EventSql.LIST_EVENTS).execute().map(set -> {
      List<Event> events = new ArrayList<>();
      set.forEach(row -> events.add(toEvent(row, region)));
      return events;
    })));
    return Future.all(perRegion).map(all -> perRegion.stream().flatMap(f -> f.result().stream())
        .sorted(java.util.Comparator.comparing((Event e) -> e.definition().startsAt()).thenComparingLong(Event::id))
        .limit(LIST_LIMIT).toList());
  }

  /** Seat counts: capacity, confirmed, waitlisted, cancelled. */
  public Future<JsonObject> seats(long eventId) {
    return stores.ofEvent(eventId).compose(pool -> pool.preparedQuery(EventSql.SEATS).execute(Tuple.of(eventId)))
        .map(rows -> {
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
    return stores.homeOf(eventId).compose(home -> stores.newId("sessions").compose(id -> home.pool()
        .withTransaction(connection -> connection.preparedQuery(EventSql.LOCK_EVENT).execute(Tuple.of(eventId))
            .map(rows -> requireEvent(rows, eventId, home.region()))
            .compose(event -> connection.preparedQuery(EventSql.INSERT_SESSION)
                .execute(sessionInsert(eventId, definition).addLong(id)))
            .map(rows -> toSession(rows.iterator().next()))
            .compose(session -> audit(connection, actor, "session.created", eventId, "session:" + session.id(),
                new JsonObject().put("title", definition.title())).map(session)))));
  }

  public Future<Session> updateSession(long eventId, long sessionId, JsonObject patch, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> updateSession(pool, eventId, sessionId, patch, actor));
  }

  private Future<Session> updateSession(Pool pool, long eventId, long sessionId, JsonObject patch, Actor actor) {
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
    return stores.ofEvent(eventId).compose(pool -> pool.preparedQuery(EventSql.SELECT_SESSION)
        .execute(Tuple.of(sessionId, eventId)))
        .map(rows -> requireSession(rows, eventId, sessionId));
  }

  /**
   * The event a session belongs to, asked of every region's database (a session id is unique across them); fails
   * with not-found when none has it.
   */
  public Future<Long> sessionEvent(long sessionId) {
    return stores.<Long>firstFound((region, pool) -> pool.preparedQuery(EventSql.SESSION_EVENT)
            .execute(Tuple.of(sessionId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0)))
        .compose(event -> event != null ? Future.succeededFuture(event)
            : Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND, "no session " + sessionId)));
  }

  public Future<List<Session>> sessions(long eventId) {
    return get(eventId).compose(event -> stores.ofEvent(eventId))
        .compose(pool -> pool.preparedQuery(EventSql.LIST_SESSIONS).execute(Tuple.of(eventId)))
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

  private static Event requireEvent(RowSet<Row> rows, long eventId, String region) {
    if (rows.size() == 0) {
      throw notFound(eventId);
    }
    return toEvent(rows.iterator().next(), region);
  }

  /**
   * The patch without homeRegion when it names the event's own region; naming another is refused: an event's
   * rows never move to another region's database.
   */
  private static JsonObject withoutHomeRegion(Event current, JsonObject patch) {
    if (!patch.containsKey("homeRegion")) {
      return patch;
    }
    if (!current.homeRegion().equals(patch.getValue("homeRegion"))) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "homeRegion cannot change: event " + current.id()
          + " lives in region '" + current.homeRegion() + "'");
    }
    JsonObject rest = patch.copy();
    rest.remove("homeRegion");
    return rest;
  }

  private static Session requireSession(RowSet<Row> rows, long eventId, long sessionId) {
    if (rows.size() == 0) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no session " + sessionId + " in event " + eventId);
    }
    return toSession(rows.iterator().next());
  }

  /**
   * region: the region of the database the row was read from, which is the event's home: where its rows are is
   * what residency means (the row's home_region records the name given at creation, and is empty for events made
   * without regions).
   */
  static Event toEvent(Row row, String region) {
    // stored fields were checked when written; a fresh Validation just absorbs the (absent) problems
    Validation stored = new Validation();
    EventDefinition definition = new EventDefinition(
        row.getString("title"), row.getString("description"),
        row.getOffsetDateTime("starts_at").toInstant(), row.getOffsetDateTime("ends_at").toInstant(),
        row.getString("time_zone"), row.getString("default_language"), row.getInteger("capacity"),
        instant(row, "registration_opens_at"), instant(row, "registration_closes_at"),
        RegistrationField.listFromJson(row.getJsonArray("fields"), stored),
        RegistrationMode.of(row.getString("registration_mode")));
    return new Event(row.getLong("id"), definition, region, instant(row, "created_at"), instant(row, "updated_at"));
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
