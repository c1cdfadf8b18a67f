package io.foyer.gateway;

import io.foyer.auth.Credentials;
import io.foyer.config.FoyerConfig;
import io.foyer.config.FoyerConfig.Pushes;
import io.foyer.events.EventCatalog;
import io.foyer.http.ProblemResponses;
import io.foyer.live.LiveState;
import io.foyer.presence.Presence;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The gateway of one node: its {@link TopicHub} verticle, the local socket groups (one per HTTP event loop),
 * and the /ws endpoint. The sockets live on the HTTP event loops that accepted them (no hop per frame); the
 * hub hands each message, encoded once, to every loop that holds subscribers.
 */
public final class GatewayNode {

  private final Vertx vertx;
  private final FoyerConfig config;
  private final Gateway gateway;
  private final TopicHub hub;
  private final List<String> deployments;
  private final GatewayServices services;
  private final Counter failedDeliveries;
  private final List<LocalSockets> groups = new CopyOnWriteArrayList<>();

  private GatewayNode(Vertx vertx, FoyerConfig config, Gateway gateway, TopicHub hub, List<String> deployments,
      GatewayServices services, MeterRegistry metrics) {
    this.vertx = vertx;
    this.config = config;
    this.gateway = gateway;
    this.hub = hub;
    this.deployments = deployments;
    this.services = services;
    this.failedDeliveries = Counter.builder("foyer.gateway.deliveries.failed")
        .description("messages that could not be written to a socket").register(metrics);
    Gauge.builder("foyer.gateway.connections", this, GatewayNode::connections)
        .description("open WebSocket connections on this node").register(metrics);
    Gauge.builder("foyer.gateway.topics", hub, TopicHub::consumedTopics)
        .description("push topics this node consumes").register(metrics);
  }

  /**
   * Deploys the topic hub and the announcements verticle; the node's sockets are served once the HTTP
   * verticles mount the handler.
   */
  public static Future<GatewayNode> start(Vertx vertx, FoyerConfig config, LiveState live, Presence presence,
      EventCatalog catalog, RegionalStores stores, Credentials credentials, String nodeId,
      MeterRegistry metrics) {
    PushTransport transport = config.cluster().pushes() == Pushes.REDIS
        ? new RedisPushTransport(vertx, config.redis().url(), config.live().keyPrefix())
        : new BusPushTransport(vertx);
    TopicHub hub = new TopicHub(live, transport, presence, config.live().historyMaxAge());
    TopicAccess access = new TopicAccess(vertx, catalog);
    GatewayServices services = new GatewayServices(vertx, config.gateway(), live, config.live().historyMaxAge(),
        credentials, access, new Snapshots(stores, access), presence, nodeId);
    Gateway gateway = new Gateway(transport, live, config.live());
    return vertx.deployVerticle(hub).compose(hubId -> vertx.deployVerticle(new AnnouncementsVerticle(gateway, stores))
            .recover(err -> vertx.undeploy(hubId).transform(x -> Future.failedFuture(err)))
            .map(announcementsId -> new GatewayNode(vertx, config, gateway, hub, List.of(announcementsId, hubId),
                services, metrics)));
  }

  /** Through this every capability pushes to attendees. */
  public Gateway gateway() {
    return gateway;
  }

  /**
   * The /ws handler of one HTTP verticle instance, called from that verticle's start with its context; its
   * sockets form that event loop's group. It runs before the router: a socket then keeps no routing state
   * for its whole life, which is memory per connection.
   */
  public Handler<HttpServerRequest> webSocketHandler(Context context) {
    LocalSockets group = new LocalSockets(context, hub, config.gateway().pingInterval().toMillis(),
        failedDeliveries);
    groups.add(group);
    return request -> upgrade(request, group);
  }

  /** Open sockets on this node. */
  public int connections() {
    return groups.stream().mapToInt(LocalSockets::size).sum();
  }

  /** Asks every client to reconnect elsewhere (with jitter) and closes the sockets; for shutdown. */
  public Future<Void> drain() {
    long jitter = config.gateway().reconnectJitter().toMillis();
    return Future.join(groups.stream().map(group -> group.drain(jitter)).toList()).mapEmpty();
  }

  /** Stops taking announcements, then stops consuming every topic. */
  public Future<Void> close() {
    return vertx.undeploy(deployments.get(0)).eventually(() -> vertx.undeploy(deployments.get(1)));
  }

  private void upgrade(HttpServerRequest request, LocalSockets group) {
    String origin = request.getHeader("Origin");
    List<String> allowed = config.gateway().allowedOrigins();
    if (origin != null && !allowed.isEmpty() && !allowed.contains(origin.toLowerCase(Locale.ROOT))) {
      refuse(request, new ProblemException(ProblemType.FORBIDDEN, "origin " + origin + " is not allowed"));
      return;
    }
    String token = request.getParam("token");
    String admission = request.getParam("admission");
    request.toWebSocket().onSuccess(socket -> new Connection(socket, group, services).start(token, admission))
        .onFailure(err -> refuse(request, new ProblemException(ProblemType.BAD_REQUEST,
            "GET /ws must be a WebSocket upgrade")));
  }

  private static void refuse(HttpServerRequest request, ProblemException problem) {
    if (!request.response().ended() && !request.response().headWritten()) {
      request.response().setStatusCode(problem.type().status())
          .putHeader("Content-Type", ProblemResponses.CONTENT_TYPE)
          .end(problem.toJson(request.path()).encode());
    }
  }
}
