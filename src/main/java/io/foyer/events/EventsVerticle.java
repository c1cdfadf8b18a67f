package io.foyer.events;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The events capability on a node: keeps the node's {@link EventCatalog} current by evicting an event
 * whenever any node changes it ({@link EventCatalog#CHANGED_ADDRESS}, published cluster-wide).
 */
public final class EventsVerticle extends VerticleBase {

  private final EventCatalog catalog;

  public EventsVerticle(EventCatalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public Future<?> start() {
    // a clustered consumer: a change made on another node evicts here too; start waits until it is registered
    return vertx.eventBus().<Long>consumer(EventCatalog.CHANGED_ADDRESS, message -> catalog.evict(message.body()))
        .completion();
  }
}
