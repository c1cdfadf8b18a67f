package io.foyer;

import io.foyer.auth.Credentials;
import io.foyer.config.FoyerConfig;
import io.foyer.events.EventCatalog;
import io.foyer.events.EventsVerticle;
import io.foyer.gateway.GatewayNode;
import io.foyer.interactions.InteractionsVerticle;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyDesks;
import io.foyer.lobby.LobbyVerticle;
import io.foyer.ops.OpsVerticle;
import io.foyer.presence.AttendanceVerticle;
import io.foyer.presence.Presence;
import io.foyer.presence.PresenceVerticle;
import io.foyer.registration.RegistrationVerticle;
import io.foyer.registration.RegistrationWriter;
import io.foyer.store.RegionalStores;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The capability verticles of a node, deployed in dependency order (each one's start waits until its
 * event-bus consumers are registered) and undeployed in reverse, so that each writer has written what it
 * accepted before the parts it needs go away.
 */
record Capabilities(Vertx vertx, EventCatalog catalog, Presence presence, GatewayNode gateway, LobbyDesks lobby,
    List<String> deployments) {

  static Future<Capabilities> deploy(Vertx vertx, FoyerConfig config, String nodeId, RegionalStores stores,
      LiveState live,
      Credentials credentials, MeterRegistry metrics) {
    EventCatalog catalog = new EventCatalog(vertx, stores);
    Presence presence = new Presence(live, nodeId);
    LobbyDesks lobby = new LobbyDesks(stores, catalog, live, presence, credentials.lobby(), config.lobby(), metrics);
    List<String> deployments = new ArrayList<>();
    RegistrationWriter registrationWriter = new RegistrationWriter(stores, config.writer(), metrics);
    return deployInOrder(vertx, deployments, List.of(
            once(new EventsVerticle(stores, catalog)),
            once(registrationWriter),
            perEventLoop(() -> new RegistrationVerticle(stores, catalog, credentials.tokens(), registrationWriter)),
            once(new AttendanceVerticle(stores, catalog, config.writer(), nodeId, metrics)),
            once(new PresenceVerticle(presence, live, nodeId, config.node()))))
        .compose(v -> GatewayNode.start(vertx, config, live, presence, catalog, stores, credentials, nodeId,
            metrics))
        // interactions and the lobby push to attendees, so they start once the gateway runs
        .compose(gateway -> deployInOrder(vertx, deployments, List.of(once(new InteractionsVerticle(stores, catalog,
            live, gateway.gateway(), config.writer(), config.interactions(), metrics, nodeId)),
            once(new LobbyVerticle(stores, catalog, live, gateway.gateway(), presence, lobby, config.lobby(), metrics,
                nodeId)),
            // last, so that it is the first to stop: a stopping node leaves the ops dashboard at once
            once(new OpsVerticle(live, metrics, lobby, gateway::connections, nodeId, config.node().region()))))
            .map(gateway)
            .recover(err -> gateway.close().transform(x -> Future.failedFuture(err))))
        .map(gateway -> new Capabilities(vertx, catalog, presence, gateway, lobby, deployments))
        .recover(err -> undeploy(vertx, deployments).transform(x -> Future.failedFuture(err)));
  }

  /** Stops the gateway's topics, then each capability in reverse order of deployment. */
  Future<Void> close() {
    return gateway.close().eventually(() -> undeploy(vertx, deployments));
  }

  /** A verticle and how many instances of it: one, or one per event loop for work spread over the cores. */
  private record Deployment(Supplier<Deployable> verticle, int instances) {}

  private static Deployment once(Deployable verticle) {
    return new Deployment(() -> verticle, 1);
  }

  private static Deployment perEventLoop(Supplier<Deployable> verticle) {
    return new Deployment(verticle, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
  }

  private static Future<Void> deployInOrder(Vertx vertx, List<String> deployments, List<Deployment> verticles) {
    Future<Void> chain = Future.succeededFuture();
    for (Deployment deployment : verticles) {
      chain = chain.compose(v -> vertx.deployVerticle(deployment.verticle(),
          new DeploymentOptions().setInstances(deployment.instances())).map(id -> {
        deployments.add(id);
        return null;
      }));
    }
    return chain;
  }

  private static Future<Void> undeploy(Vertx vertx, List<String> deployments) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    return chain;
  }
}
