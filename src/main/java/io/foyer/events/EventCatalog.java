package io.foyer.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's short-lived cache of event definitions for the registration hot path, so that a burst of
 * registrations does not read the same event thousands of times. An update anywhere in the cluster evicts the
 * entry on every node at once (event bus); the time limit bounds staleness should a message be missed.
 * Seat decisions never use it: they are made in the database.
 *
 * <p>It keeps loaded events only (not pending loads, whose callbacks would run on the loading request's event
 * loop, nor "no such event", which would let anyone grow it with made-up ids).
 */
public final class EventCatalog {

  /** Published with the event id whenever an event changes. */
  public static final String CHANGED_ADDRESS = "foyer.events.changed";
  private static final long TTL_NANOS = 5_000_000_000L;

  private record Entry(Event event, long loadedAt) {}

  private final EventRepository repository;
  private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
  private final MessageConsumer<Long> invalidations;

  private EventCatalog(Vertx vertx, EventRepository repository) {
    this.repository = repository;
    this.invalidations = vertx.eventBus().consumer(CHANGED_ADDRESS, message -> entries.remove(message.body()));
  }

  /** Starts listening for changes; completes once the listener is registered (cluster-wide). */
  public static Future<EventCatalog> start(Vertx vertx, EventRepository repository) {
    EventCatalog catalog = new EventCatalog(vertx, repository);
    return catalog.invalidations.completion().map(catalog);
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

  /** Tells every node that an event changed. */
  public static void announceChange(Vertx vertx, long eventId) {
    vertx.eventBus().publish(CHANGED_ADDRESS, eventId);
  }

  public Future<Void> close() {
    return invalidations.unregister();
  }
}
