package io.foyer.events;

import io.foyer.audit.AuditLog;
import io.foyer.bus.Bus;
import io.foyer.events.EventMessages.AuditTrail;
import io.foyer.events.EventMessages.CreateEvent;
import io.foyer.events.EventMessages.CreateSession;
import io.foyer.events.EventMessages.ListEvents;
import io.foyer.events.EventMessages.OfEvent;
import io.foyer.events.EventMessages.OfSession;
import io.foyer.events.EventMessages.UpdateEvent;
import io.foyer.events.EventMessages.UpdateSession;
import io.foyer.http.Times;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The events capability on a node: events and sessions for organizers, the public view of an event, and the
 * audit trail. Keeps the node's {@link EventCatalog} current by evicting an event whenever any node changes
 * it ({@link EventCatalog#CHANGED_ADDRESS}, published cluster-wide).
 */
public final class EventsVerticle extends VerticleBase {

  private static final int AUDIT_ENTRIES = 500;

  private final RegionalStores stores;
  private final EventCatalog catalog;
  private final EventRepository events;

  public EventsVerticle(RegionalStores stores, EventCatalog catalog) {
    this.stores = stores;
    this.catalog = catalog;
    this.events = new EventRepository(stores);
  }

  @Override
  public Future<?> start() {
    return Future.all(List.of(
        // a clustered consumer: a change made on another node evicts here too
        vertx.eventBus().<Long>consumer(EventCatalog.CHANGED_ADDRESS, message -> catalog.evict(message.body()))
            .completion(),
        Bus.serve(vertx, EventMessages.CREATE, (CreateEvent create) -> events.create(create.definition(),
            create.homeRegion(), create.actor())),
        Bus.serve(vertx, EventMessages.UPDATE, this::update),
        Bus.serve(vertx, EventMessages.GET, this::publicView),
        Bus.serve(vertx, EventMessages.LIST, (ListEvents list) -> events.list(list.eventScope())
            .map(all -> new JsonArray(all.stream().map(Event::toJson).toList()))),
        Bus.serve(vertx, EventMessages.STATS, (OfEvent event) -> events.seats(event.eventId())),
        Bus.serve(vertx, EventMessages.CREATE_SESSION, (CreateSession create) -> events.createSession(
            create.eventId(), create.definition(), create.actor())),
        Bus.serve(vertx, EventMessages.UPDATE_SESSION, (UpdateSession update) -> events.updateSession(
            update.eventId(), update.sessionId(), update.patch(), update.actor())),
        Bus.serve(vertx, EventMessages.GET_SESSION, (OfSession session) -> events.session(session.eventId(),
            session.sessionId())),
        Bus.serve(vertx, EventMessages.LIST_SESSIONS, (OfEvent event) -> events.sessions(event.eventId())
            .map(all -> new JsonArray(all.stream().map(Session::toJson).toList()))),
        Bus.serve(vertx, EventMessages.AUDIT_TRAIL, this::auditTrail)));
  }

  /**
   * An event's trail from its home database; the whole trail from every region's, newest first (entries about no
   * event are in the database of the node that wrote them).
   */
  private Future<JsonArray> auditTrail(AuditTrail trail) {
    if (trail.eventId() != null) {
      // an event no region has has no trail, as in one database
      return stores.ofEvent(trail.eventId()).compose(pool -> AuditLog.recent(pool, trail.eventId(), AUDIT_ENTRIES))
          .recover(err -> err instanceof ProblemException p && p.type() == ProblemType.NOT_FOUND
              ? Future.succeededFuture(new JsonArray()) : Future.failedFuture(err));
    }
    if (!stores.regional()) {
      return AuditLog.recent(stores.home(), null, AUDIT_ENTRIES);
    }
    return stores.fromEvery(pool -> AuditLog.recent(pool, null, AUDIT_ENTRIES)
            .map(entries -> entries.stream().map(JsonObject.class::cast).toList()))
        .map(all -> new JsonArray(all.stream()
            .sorted(java.util.Comparator.comparing((JsonObject entry) -> Times.parse(entry.getString("at"))).reversed())
            .limit(AUDIT_ENTRIES).map(Object.class::cast).toList()));
  }

  private Future<Event> update(UpdateEvent update) {
    return events.update(update.eventId(), update.patch(), update.actor())
        .onSuccess(event -> EventCatalog.announceChange(vertx, update.eventId()));
  }

  /** The form and schedule of an event, and whether registration is open with how many seats left. */
  private Future<JsonObject> publicView(OfEvent request) {
    return events.get(request.eventId()).compose(event -> events.seats(request.eventId()).map(seats -> event.toJson()
        .put("registration", new JsonObject()
            .put("open", event.definition().registrationOpenAt(Instant.now()))
            .put("seatsLeft", seats.getInteger("seatsLeft")))));
  }
}
