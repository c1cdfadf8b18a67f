package io.foyer.events;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;

/**
 * A node's short-lived cache of event definitions for the registration hot path, so that a burst of
 * registrations does not read the same event thousands of times. An update anywhere in the cluster evicts the
 * entry on every node at once (event bus); the time limit bounds staleness should a message be missed.
 * Seat decisions never use it: they are made in the database.
 *
 * <p>Under a burst every registration asks for its event, thousands of times a second, so an entry never
 * expires into a stampede: past its time limit it is still served while one reload runs in the background
 * (up to twice the limit; older than that, callers wait for a load), and the requests that miss an event
 * while it is being loaded share that one load. It keeps loaded events and loads in flight only, never
 * "no such event", which would let anyone grow it with made-up ids. It is the events capability's read API
 * for other capabilities (registration, the gateway); {@link EventsVerticle} keeps it current.
 */
public final class EventCatalog {

  /** Published with the event id whenever an event changes. */
  public static final String CHANGED_ADDRESS = "foyer.events.changed";
  private static final long TTL_NANOS = 5_000_000_000L;

  private static final class Entry {
    final Event event;
    final long loadedAt;
    final AtomicBoolean refreshing = new AtomicBoolean();

    Entry(Event event, long loadedAt) {
      this.event = event;
      this.loadedAt = loadedAt;
    }
  }

  private final Vertx vertx;
  private final EventRepository events;
  private final LongFunction<Future<Event>> loader;
  private final long ttlNanos;
  private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
  /** Loads in flight, shared by every request that misses the same event meanwhile. */
  private final Map<Long, Future<Event>> loading = new ConcurrentHashMap<>();
  /** A session never moves to another event, so its event is kept for good. */
  private final Map<Long, Long> sessionEvents = new ConcurrentHashMap<>();

  public EventCatalog(Vertx vertx, RegionalStores stores) {
    this(vertx, new EventRepository(stores), TTL_NANOS);
  }

  private EventCatalog(Vertx vertx, EventRepository events, long ttlNanos) {
    this(vertx, events, events::get, ttlNanos);
  }

  EventCatalog(Vertx vertx, Pool pool, LongFunction<Future<Event>> loader, long ttlNanos) {
    this(vertx, new EventRepository(pool), loader, ttlNanos);
  }

  private EventCatalog(Vertx vertx, EventRepository events, LongFunction<Future<Event>> loader, long ttlNanos) {
    this.vertx = vertx;
    this.events = events;
    this.loader = loader;
    this.ttlNanos = ttlNanos;
  }

  /** The event, from the cache when fresh enough; callbacks run on the caller's context. */
  public Future<Event> get(long eventId) {
    long now = System.nanoTime();
    Entry entry = entries.get(eventId);
    if (entry != null && now - entry.loadedAt < ttlNanos) {
      return Future.succeededFuture(entry.event);
    }
    if (entry != null && now - entry.loadedAt < 2 * ttlNanos) {
      if (entry.refreshing.compareAndSet(false, true)) {
        refresh(eventId, entry);
      }
      return Future.succeededFuture(entry.event);
    }
    return load(eventId);
  }

  /** Replaces a stale entry unless the event was evicted (changed) meanwhile; a failed refresh is tried again. */
  private void refresh(long eventId, Entry stale) {
    long started = System.nanoTime();
    loader.apply(eventId).onComplete(loaded -> {
      if (loaded.succeeded()) {
        entries.replace(eventId, stale, new Entry(loaded.result(), started));
      } else if (loaded.cause() instanceof ProblemException problem && problem.type() == ProblemType.NOT_FOUND) {
        entries.remove(eventId, stale);
      } else {
        stale.refreshing.set(false);
      }
    });
  }

  private Future<Event> load(long eventId) {
    Context caller = vertx.getOrCreateContext();
    Promise<Event> started = Promise.promise();
    Future<Event> shared = loading.putIfAbsent(eventId, started.future());
    if (shared == null) {
      long startedAt = System.nanoTime();
      return loader.apply(eventId).onComplete(loaded -> {
        // an eviction during the load removed it from loading: then what was read may predate the change
        if (loading.remove(eventId, started.future()) && loaded.succeeded()) {
          entries.put(eventId, new Entry(loaded.result(), startedAt));
        }
        started.handle(loaded);
      });
    }
    // the load completes on its starter's event loop; each waiting request continues on its own
    Promise<Event> mine = Promise.promise();
    shared.onComplete(loaded -> caller.runOnContext(v -> mine.handle(loaded)));
    return mine.future();
  }

  /** The event a session belongs to; fails with not-found when there is no such session. */
  public Future<Long> sessionEvent(long sessionId) {
    Long cached = sessionEvents.get(sessionId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return events.sessionEvent(sessionId).onSuccess(event -> sessionEvents.put(sessionId, event));
  }

  /** Completes when the session belongs to the event; fails with not-found otherwise. */
  public Future<Void> requireSession(long eventId, long sessionId) {
    return sessionEvent(sessionId).compose(event -> event == eventId ? Future.succeededFuture()
        : Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
            "no session " + sessionId + " in event " + eventId)));
  }

  void evict(long eventId) {
    loading.remove(eventId);
    entries.remove(eventId);
  }

  /** Tells every node that an event changed. */
  public static void announceChange(Vertx vertx, long eventId) {
    vertx.eventBus().publish(CHANGED_ADDRESS, eventId);
  }
}
