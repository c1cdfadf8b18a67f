package io.foyer.lobby;

import io.foyer.auth.LobbyPasses;
import io.foyer.config.FoyerConfig.LobbyConfig;
import io.foyer.events.EventCatalog;
import io.foyer.live.LiveState;
import io.foyer.presence.Presence;
import io.foyer.store.RegionalStores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** The lobby desks of a node, one per context that asks (each HTTP loop, the lobby verticle), and what they share. */
public final class LobbyDesks {

  private static final String DESK = "foyer.lobby.desk";

  final RegionalStores stores;
  final EventCatalog catalog;
  final LiveState live;
  final Presence presence;
  final LobbyPasses passes;
  final LobbyConfig config;
  final Counter wentAhead;
  final Counter queued;
  final Counter admissions;

  public LobbyDesks(RegionalStores stores, EventCatalog catalog, LiveState live, Presence presence, LobbyPasses passes,
      LobbyConfig config, MeterRegistry metrics) {
    this.stores = stores;
    this.catalog = catalog;
    this.live = live;
    this.presence = presence;
    this.passes = passes;
    this.config = config;
    this.wentAhead = joins(metrics, "admitted");
    this.queued = joins(metrics, "waiting");
    this.admissions = Counter.builder("foyer.lobby.admissions").description("tickets exchanged for an admission "
        + "(an exchange asked again counts again)").register(metrics);
  }

  private static Counter joins(MeterRegistry metrics, String outcome) {
    return Counter.builder("foyer.lobby.joins").tag("outcome", outcome)
        .description("lobby joins answered: admitted at once (lobby closed) or given a place").register(metrics);
  }

  /**
   * The events whose lines a node drives: every line being driven when the node holds the driver's lease, none
   * otherwise (for the ops dashboard).
   */
  public Future<List<Long>> linesDrivenBy(String nodeId) {
    return live.get(LobbyVerticle.DRIVER_LEASE).compose(driver -> !nodeId.equals(driver)
        ? Future.succeededFuture(List.<Long>of())
        : live.hashCounters(LineKeys.WATCHED).map(events -> events.keySet().stream().map(Long::valueOf).sorted()
            .toList()));
  }

  /** The desk of the calling context, made on its first use there; call it on an event loop or verticle context. */
  public LobbyDesk here() {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("a lobby desk serves a Vert.x context; none is current");
    }
    LobbyDesk desk = context.get(DESK);
    if (desk == null) {
      desk = new LobbyDesk(this, context);
      context.put(DESK, desk);
    }
    return desk;
  }
}
