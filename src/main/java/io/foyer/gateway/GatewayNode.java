package io.foyer.gateway;

import io.foyer.auth.AttendeeTokens;
import io.foyer.auth.OrganizerKeys;
import io.foyer.config.FoyerConfig;
import io.foyer.http.ProblemResponses;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The gateway of one node: the topic hub, the local socket groups (one per HTTP event loop), and the /ws
 * endpoint. Started once by FoyerApp; its {@link #mountWebSocket} runs in every HTTP verticle instance.
 */
public final class GatewayNode {

  private final FoyerConfig config;
  private final Gateway gateway;
  private final TopicHub hub;
  private final Attendance attendance;
  private final Connection.Services services;
  private final List<LocalSockets> groups = new CopyOnWriteArrayList<>();

  public GatewayNode(Vertx vertx, FoyerConfig config, Gateway gateway, Pool pool, AttendeeTokens tokens,
      OrganizerKeys keys, String nodeId) {
    this.config = config;
    this.gateway = gateway;
    this.hub = new TopicHub(vertx, vertx.getOrCreateContext(), gateway.live(), config.live().historyMaxAge());
    this.attendance = new Attendance(vertx, pool, config.writer());
    this.services = new Connection.Services(vertx, config.gateway(), gateway.live(), config.live().historyMaxAge(),
        tokens, keys, new TopicAccess(pool), new Snapshots(pool), new Presence(gateway.live(), nodeId), attendance,
        nodeId);
  }

  public Gateway gateway() {
    return gateway;
  }

  /**
   * The /ws handler of one HTTP verticle instance; its sockets form that event loop's group. It runs before
   * the router: a socket then keeps no routing state for its whole life, which is memory per connection.
   */
  public Handler<HttpServerRequest> webSocketHandler(Vertx vertx) {
    LocalSockets group = new LocalSockets(vertx, vertx.getOrCreateContext(), hub,
        config.gateway().pingInterval().toMillis());
    groups.add(group);
    return request -> upgrade(request, group);
  }

  /** Open sockets on this node. */
  public int connections() {
    return groups.stream().mapToInt(LocalSockets::size).sum();
  }

  public void bindMetrics(MeterRegistry registry) {
    Gauge.builder("foyer.gateway.connections", this, GatewayNode::connections)
        .description("open WebSocket connections on this node").register(registry);
    attendance.writer().withMetrics(registry);
  }

  /** Asks every client to reconnect elsewhere (with jitter) and closes the sockets; for shutdown. */
  public Future<Void> drain() {
    long jitter = config.gateway().reconnectJitter().toMillis();
    return Future.join(groups.stream().map(group -> group.drain(jitter)).toList()).mapEmpty();
  }

  public Future<Void> close() {
    hub.close();
    return attendance.close();
  }

  private void upgrade(HttpServerRequest request, LocalSockets group) {
    String origin = request.getHeader("Origin");
    List<String> allowed = config.gateway().allowedOrigins();
    if (origin != null && !allowed.isEmpty() && !allowed.contains(origin.toLowerCase(Locale.ROOT))) {
      refuse(request, new ProblemException(ProblemType.FORBIDDEN, "origin " + origin + " is not allowed"));
      return;
    }
    String token = request.getParam("token");
    request.toWebSocket().onSuccess(socket -> new Connection(socket, group, services).start(token))
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
