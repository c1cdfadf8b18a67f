package io.foyer;

import io.foyer.auth.AttendeeTokens;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.OrganizerKeys;
import io.foyer.cluster.ClusterBoot;
import io.foyer.config.FoyerConfig;
import io.foyer.config.FoyerConfig.Engine;
import io.foyer.events.EventCatalog;
import io.foyer.events.EventRepository;
import io.foyer.events.EventRoutes;
import io.foyer.gateway.Gateway;
import io.foyer.gateway.GatewayNode;
import io.foyer.gateway.GatewayRoutes;
import io.foyer.http.HttpServerVerticle;
import io.foyer.http.RouterFactory;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.live.LiveState;
import io.foyer.live.MemoryLiveState;
import io.foyer.live.RedisLiveState;
import io.foyer.registration.RegistrationCommands;
import io.foyer.registration.RegistrationRepository;
import io.foyer.registration.RegistrationRoutes;
import io.foyer.store.Store;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that starts a node: reads the chosen store, LiveState engine and cluster mode from the
 * configuration, opens them in order, deploys the verticles, and says what it chose. Stops in reverse.
 */
public final class FoyerApp {

  private static final Logger log = LoggerFactory.getLogger(FoyerApp.class);
  /** How long a readiness check waits for PostgreSQL or LiveState to answer. */
  private static final long CHECK_TIMEOUT_MILLIS = 2000;

  private final FoyerConfig config;
  private final String nodeId;
  private final PrometheusMeterRegistry metrics;
  private final AtomicInteger httpPort = new AtomicInteger();
  private Vertx vertx;
  private Store store;
  private LiveState live;
  private AttendeeTokens tokens;
  private OrganizerKeys organizerKeys;
  private EventCatalog eventCatalog;
  private RegistrationCommands registrationCommands;
  private GatewayNode gatewayNode;

  private FoyerApp(FoyerConfig config) {
    this.config = config;
    this.nodeId = config.node().id().isEmpty() ? "node-" + UUID.randomUUID().toString().substring(0, 8)
        : config.node().id();
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().commonTags("node", nodeId, "region", config.node().region());
  }

  /** Starts a node; the Future fails, with everything already opened closed again, if any part fails. */
  public static Future<FoyerApp> start(FoyerConfig config) {
    FoyerApp app = new FoyerApp(config);
    return app.createVertx()
        .compose(v -> app.openStore())
        .compose(v -> app.openLiveState())
        .compose(v -> app.recordNodeStart())
        .compose(v -> app.openCapabilities())
        .compose(v -> app.deployHttp())
        .map(v -> app.announce())
        .recover(err -> app.stop().transform(ignored -> Future.failedFuture(err)));
  }

  public Vertx vertx() {
    return vertx;
  }

  public Store store() {
    return store;
  }

  public LiveState live() {
    return live;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The port the HTTP server is bound to. */
  public int httpPort() {
    return httpPort.get();
  }

  /** Signs and checks attendee tokens. */
  public AttendeeTokens tokens() {
    return tokens;
  }

  /**
   * Tells WebSocket clients to reconnect elsewhere, undeploys the verticles, writes every registration and
   * attendance record already accepted, then closes LiveState, the store
   * (stopping an embedded server) and Vert.x.
   */
  public Future<Void> stop() {
    if (vertx == null) {
      return Future.succeededFuture();
    }
    Future<Void> drained = gatewayNode == null ? Future.succeededFuture() : gatewayNode.drain();
    return drained
        .eventually(() -> Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
        .eventually(() -> gatewayNode == null ? Future.succeededFuture() : gatewayNode.close())
        .eventually(() -> registrationCommands == null ? Future.succeededFuture() : registrationCommands.close())
        .eventually(() -> eventCatalog == null ? Future.succeededFuture() : eventCatalog.close())
        .eventually(() -> live == null ? Future.succeededFuture() : live.close())
        .eventually(() -> store == null ? Future.succeededFuture() : store.close(vertx))
        .eventually(vertx::close)
        .onComplete(ar -> metrics.close())
        .mapEmpty();
  }

  private Future<Void> createVertx() {
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics));
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new UptimeMetrics().bindTo(metrics);
    if (!config.cluster().enabled()) {
      vertx = builder.with(options).build();
      return Future.succeededFuture();
    }
    return ClusterBoot.start(builder, options, config.cluster()).map(clustered -> {
      vertx = clustered;
      return null;
    });
  }

  private Future<Void> openStore() {
    return Store.open(vertx, config.pg()).map(opened -> {
      store = opened;
      return null;
    });
  }

  private Future<Void> openLiveState() {
    Future<LiveState> opened = config.live().engine() == Engine.REDIS
        ? RedisLiveState.connect(vertx, config.redis().url(), config.redis().poolSize(), config.live().keyPrefix())
            .map(redis -> (LiveState) redis)
        : Future.succeededFuture(new MemoryLiveState(vertx));
    return opened.map(state -> {
      live = state;
      return null;
    });
  }

  private Future<Void> recordNodeStart() {
    return store.pool()
        .preparedQuery("INSERT INTO node_starts (node_id, region, version, store, live_engine, clustered) "
            + "VALUES ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(nodeId, config.node().region(), FoyerVersion.get(),
            store.embedded() ? "embedded" : "external", live.engineName(), config.cluster().enabled()))
        .mapEmpty();
  }

  /** Keys and tokens first (they may be generated into the data directory), then each capability. */
  private Future<Void> openCapabilities() {
    return vertx.executeBlocking(() -> {
      organizerKeys = OrganizerKeys.load(config.auth().apiKeys(), config.dataDir());
      return AttendeeTokens.loadSecret(config.auth().tokenSecret(), config.dataDir());
    }, false).compose(secret -> {
      tokens = AttendeeTokens.create(vertx, secret, config.auth().attendeeTokenTtl());
      registrationCommands = new RegistrationCommands(vertx, store.pool(), config.writer());
      registrationCommands.writer().withMetrics(metrics);
      gatewayNode = new GatewayNode(vertx, config, new Gateway(vertx, live, config.live()), store.pool(), tokens,
          organizerKeys, nodeId);
      gatewayNode.bindMetrics(metrics);
      return EventCatalog.start(vertx, new EventRepository(store.pool()));
    }).map(catalog -> {
      eventCatalog = catalog;
      return null;
    });
  }

  private List<ApiRoutes> apiRoutes() {
    AuthHandlers auth = new AuthHandlers(organizerKeys, tokens);
    EventRepository events = new EventRepository(store.pool());
    return List.of(
        new EventRoutes(events, auth, store.pool()),
        new RegistrationRoutes(eventCatalog, registrationCommands, new RegistrationRepository(store.pool()), tokens,
            auth),
        new GatewayRoutes(gatewayNode.gateway(), auth, store.pool()));
  }

  /** Tells every WebSocket client of this node to reconnect elsewhere and closes their sockets. */
  public Future<Void> drainWebSockets() {
    return gatewayNode.drain();
  }

  /** Open WebSocket connections on this node. */
  public int gatewayConnections() {
    return gatewayNode.connections();
  }

  /** The push gateway of this node, through which every capability reaches attendees. */
  public Gateway gateway() {
    return gatewayNode.gateway();
  }

  private Future<Void> deployHttp() {
    RouterFactory routes = new RouterFactory(config.http().maxBodyBytes(), readinessChecks(), metrics,
        nodeInfo(), apiRoutes());
    int instances = config.http().instances() > 0 ? config.http().instances()
        : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    return vertx.deployVerticle(() -> new HttpServerVerticle(config.http(), config.gateway(), routes::create,
            gatewayNode::webSocketHandler, httpPort::set),
        new DeploymentOptions().setInstances(instances)).mapEmpty();
  }

  private HealthChecks readinessChecks() {
    HealthChecks checks = HealthChecks.create(vertx);
    registerCheck(checks, "postgres", () -> store.pool().query("SELECT 1").execute());
    registerCheck(checks, "live-" + live.engineName(), live::ping);
    return checks;
  }

  /**
   * A probe that does not answer within {@link #CHECK_TIMEOUT_MILLIS} is DOWN (503, with an error), like one that
   * fails. The check library has a time-out of its own which fails the same promise (500, no error); it is only
   * a backstop here, set later than ours. Since it and the probe may both try to complete the result, the
   * probe's answer is offered with tryComplete: an answer after a time-out is dropped, not thrown on the event
   * loop (a slow PostgreSQL or Redis on a busy node did exactly that).
   */
  private static void registerCheck(HealthChecks checks, String name, Supplier<Future<?>> probe) {
    checks.register(name, 2 * CHECK_TIMEOUT_MILLIS, promise -> probe.get()
        .timeout(CHECK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> promise.tryComplete(ar.succeeded() ? Status.OK()
            : Status.KO(new JsonObject().put("error", ar.cause() instanceof TimeoutException
                ? "no answer within " + CHECK_TIMEOUT_MILLIS + " ms" : String.valueOf(ar.cause().getMessage()))))));
  }

  private JsonObject nodeInfo() {
    return new JsonObject().put("node", nodeId).put("region", config.node().region());
  }

  private FoyerApp announce() {
    String cluster = config.cluster().enabled()
        ? "clustered (Hazelcast on " + config.cluster().host() + ":" + config.cluster().port() + ", members "
            + config.cluster().members() + ")"
        : "single node";
    log.info("Foyer {} node {} (region {}) listening on http://{}:{}", FoyerVersion.get(), nodeId,
        config.node().region(), config.http().host(), httpPort());
    log.info("Store: {}; LiveState: {}; mode: {}; configuration: {}", store.describe(), live.engineName(), cluster,
        config.sources());
    return this;
  }
}
