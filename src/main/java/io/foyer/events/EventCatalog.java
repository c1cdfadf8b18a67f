package io.foyer.events;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's short-lived cache of event definitions for the registration hot path, so that a burst of
 * registrations does not read the same event thousands of times. An update anywhere in the cluster evicts the
 * entry on every node at once (event bus); the time limit bounds staleness should a message be missed.
 * Seat decisions never use it: they are made in the database.
 *
 * <p>It keeps loaded events only (not pending loads, whose callbacks would run on the loading request's event
 * loop, nor "no such event", which would let anyone grow it with made-up ids). It is the events capability's
 * read API for other capabilities (registration, the gateway); {@link EventsVerticle} keeps it current.
 */
public final class EventCatalog {

  /** Published with the event id whenever an event changes. */
  public static final String CHANGED_ADDRESS = "foyer.events.changed";
  private static final long TTL_NANOS = 5_000_000_000L;

  private record Entry(Event event, long loadedAt) {}

  private final Pool pool;
  private final EventRepository repository;
  private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
  /** A session never moves to another event, so its event is kept for good. */
  private final Map<Long, Long> sessionEvents = new ConcurrentHashMap<>();

  public EventCatalog(Pool pool) {
    this.pool = pool;
    this.repository = new EventRepository(pool);
  }

  /** The event, from the cache when fresh; callbacks run on the caller's context. */
  public Future<Event> get(long eventId) {
    long now = System.nanoTime();
    Entry entry = entries.get(eventId);
    if (entry != null && now - entry.loadedAt() < TTL_NANOS) {
      return Future.succeededFuture(entry.event());
    }
    return repository.get(eventId).onSuccess(event -> entries.put(eventId, new Entry(event, now)));
  }

  /** The event a session belongs to; fails with not-found when there is no such session. */
  public Future<Long> sessionEvent(long sessionId) {
    Long cached = sessionEvents.get(sessionId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return pool.preparedQuery(EventSql.SESSION_EVENT).execute(Tuple.of(sessionId)).map(rows -> {
      if (rows.size() == 0) {
        throw new ProblemException(ProblemType.NOT_FOUND, "no session " + sessionId);
      }
      long event = rows.iterator().next().getLong(0);
      sessionEvents.put(sessionId, event);
      return event;
    });
  }

  /** Completes when the session belongs to the event; fails with not-found otherwise. */
  public Future<Void> requireSession(long eventId, long sessionId) {
    return sessionEvent(sessionId).compose(event -> event == eventId ? Future.succeededFuture()
        : Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
            "no session " + sessionId + " in event " + eventId)));
  }

  void evict(long eventId) {
    entries.remove(eventId);
  }

  /** Tells every node that an event changed. */
  public static void announceChange(Vertx vertx, long eventId) {
    vertx.eventBus().publish(CHANGED_ADDRESS, eventId);
  }
}
