package io.foyer;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Credentials;
import io.foyer.auth.PresenterTokenRoutes;
import io.foyer.bus.Bus;
import io.foyer.cluster.ClusterBoot;
import io.foyer.config.FoyerConfig;
import io.foyer.config.FoyerConfig.Engine;
import io.foyer.demo.DemoEvent;
import io.foyer.events.EventRoutes;
import io.foyer.gateway.Gateway;
import io.foyer.gateway.GatewayRoutes;
import io.foyer.interactions.InteractionRoutes;
import io.foyer.interactions.QuizRoutes;
import io.foyer.http.HttpServerVerticle;
import io.foyer.http.RouterFactory;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyRoutes;
import io.foyer.ops.OpsRoutes;
import io.foyer.live.MemoryLiveState;
import io.foyer.live.RedisLiveState;
import io.foyer.sso.SingleSignOn;
import io.foyer.presence.AttendanceRoutes;
import io.foyer.registration.InviteCodes;
import io.foyer.registration.InviteRoutes;
import io.foyer.registration.RegistrationRoutes;
import io.foyer.store.RegionalStores;
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
import io.vertx.core.transport.Transport;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that starts a node. It opens, in order: Vert.x (clustered or not), the store, LiveState,
 * the credentials, the capability verticles, and the HTTP verticles; each step is a module whose start
 * returns what it opened, and whose close is remembered. A node stops (or a failed start is undone) by
 * closing what was opened, in reverse.
 */
public final class FoyerApp {

  private static final Logger log = LoggerFactory.getLogger(FoyerApp.class);
  /** How long a readiness check waits for PostgreSQL or LiveState to answer. */
  private static final long CHECK_TIMEOUT_MILLIS = 2000;

  private final String nodeId;
  private final Vertx vertx;
  private final Store store;
  private final RegionalStores regions;
  private final LiveState live;
  private final Capabilities capabilities;
  private final int httpPort;
  private final Opened opened;

  private FoyerApp(String nodeId, Vertx vertx, Store store, RegionalStores regions, LiveState live,
      Capabilities capabilities, int httpPort, Opened opened) {
    this.nodeId = nodeId;
    this.vertx = vertx;
    this.store = store;
    this.regions = regions;
    this.live = live;
    this.capabilities = capabilities;
    this.httpPort = httpPort;
    this.opened = opened;
  }

  /** Starts a node; the Future fails, with everything already opened closed again, if any part fails. */
  public static Future<FoyerApp> start(FoyerConfig config) {
    String nodeId = config.node().id().isEmpty() ? "node-" + UUID.randomUUID().toString().substring(0, 8)
        : config.node().id();
    PrometheusMeterRegistry metrics = metrics(nodeId, config);
    Opened opened = new Opened();
    opened.add(() -> {
      metrics.close();
      return Future.succeededFuture();
    });
    Future<Vertx> vertx = openVertx(config, metrics).map(v -> opened.add(v, Vertx::close));
    Future<Store> store = vertx.compose(v -> Store.open(v, RegionalStores.ownDatabase(config)))
        .map(s -> opened.add(s, x -> x.close(vertx.result())));
    Future<RegionalStores> regions = store.compose(s -> RegionalStores.open(vertx.result(), config, s))
        .map(r -> opened.add(r, x -> x.close(vertx.result())));
    Future<LiveState> live = regions.compose(r -> openLiveState(vertx.result(), config))
        .map(l -> opened.add(l, LiveState::close));
    Future<Credentials> credentials = live
        .compose(l -> recordNodeStart(store.result(), nodeId, config, l))
        .compose(v -> Credentials.load(vertx.result(), config.auth(), config.dataDir(), regions.result()));
    Future<Capabilities> capabilities = credentials
        .compose(c -> Capabilities.deploy(vertx.result(), config, nodeId, regions.result(), live.result(), c,
            metrics))
        .map(c -> opened.add(c, Capabilities::close));
    Future<Integer> httpPort = capabilities
        .compose(c -> deployHttp(vertx.result(), config, nodeId, metrics, regions.result(), live.result(),
            credentials.result(), c, opened));
    return httpPort
        .map(port -> new FoyerApp(nodeId, vertx.result(), store.result(), regions.result(), live.result(),
            capabilities.result(), port, opened))
        .onSuccess(app -> app.announce(config))
        // a fresh single node on the embedded database gets a demo event to open at once (never an external one)
        .compose(app -> DemoEvent.onStart(app.vertx, app.store.pool(), app.store.embedded(), app.baseUrl(config))
            .map(app))
        .recover(err -> opened.closeAll().transform(ignored -> Future.failedFuture(err)));
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The node's own store (its region's database): node-level rows, and every event when no regions are set. */
  public Store store() {
    return store;
  }

  /** Which database holds which event (one database for all without regions configured). */
  public RegionalStores regions() {
    return regions;
  }

  public LiveState live() {
    return live;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The port the HTTP server is bound to. */
  public int httpPort() {
    return httpPort;
  }

  /** The push gateway of this node, through which every capability reaches attendees. */
  public Gateway gateway() {
    return capabilities.gateway().gateway();
  }

  /** Open WebSocket connections on this node. */
  public int gatewayConnections() {
    return capabilities.gateway().connections();
  }

  /** Tells every WebSocket client of this node to reconnect elsewhere and closes their sockets. */
  public Future<Void> drainWebSockets() {
    return capabilities.gateway().drain();
  }

  /**
   * Tells WebSocket clients to reconnect elsewhere and stops serving HTTP, then stops the capabilities (each
   * writer writes what it accepted), then closes LiveState, the store (stopping an embedded server) and Vert.x.
   */
  public Future<Void> stop() {
    return opened.closeAll();
  }

  private static PrometheusMeterRegistry metrics(String nodeId, FoyerConfig config) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().commonTags("node", nodeId, "region", config.node().region());
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new UptimeMetrics().bindTo(metrics);
    return metrics;
  }

  private static Future<Vertx> openVertx(FoyerConfig config, PrometheusMeterRegistry metrics) {
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
    Transport transport;
    try {
      transport = transport(config.node().transport());
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    VertxBuilder builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(metrics))
        .withTransport(transport);
    Future<Vertx> vertx = config.cluster().enabled()
        ? ClusterBoot.start(builder, options, config.cluster())
        : Future.succeededFuture(builder.build());
    return vertx.onSuccess(Bus::install);
  }

  /**
   * The node's transport: a native one where it loads (epoll by default: fewer copies and system calls per socket
   * than Java NIO), NIO with one line saying why where it does not; a transport named in configuration must load.
   */
  static Transport transport(String name) {
    Transport chosen = switch (name) {
      case "epoll", "auto" -> Transport.EPOLL;
      case "io_uring" -> Transport.IO_URING;
      default -> Transport.NIO;
    };
    if (chosen.available()) {
      log.info("Network transport: {}", chosen.name());
      return chosen;
    }
    if (!name.equals("auto")) {
      throw new IllegalStateException("node.transport = " + name + " cannot be used here: "
          + chosen.unavailabilityCause());
    }
    log.info("Network transport: nio (epoll is not available here: {})", chosen.unavailabilityCause());
    return Transport.NIO;
  }

  private static Future<LiveState> openLiveState(Vertx vertx, FoyerConfig config) {
    return config.live().engine() == Engine.REDIS
        ? RedisLiveState.connect(vertx, config.redis().url(), config.redis().poolSize(), config.live().keyPrefix())
            .map(redis -> (LiveState) redis)
        : Future.succeededFuture(new MemoryLiveState(vertx));
  }

  private static Future<Void> recordNodeStart(Store store, String nodeId, FoyerConfig config, LiveState live) {
    return store.pool()
        .preparedQuery("INSERT INTO node_starts (node_id, region, version, store, live_engine, clustered) "
            + "VALUES ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(nodeId, config.node().region(), FoyerVersion.get(),
            store.embedded() ? "embedded" : "external", live.engineName(), config.cluster().enabled()))
        .mapEmpty();
  }

  /**
   * One HTTP verticle per event loop. Closing it first tells WebSocket clients to reconnect elsewhere, then
   * stops accepting requests.
   */
  private static Future<Integer> deployHttp(Vertx vertx, FoyerConfig config, String nodeId,
      PrometheusMeterRegistry metrics, RegionalStores stores, LiveState live, Credentials credentials,
      Capabilities capabilities, Opened opened) {
    SingleSignOn sso = new SingleSignOn(vertx, config.sso(), live, credentials.presenters(), capabilities.catalog(),
        metrics, java.time.Clock.systemUTC());
    sso.warmUp();
    opened.add(() -> {
      sso.close();
      return Future.succeededFuture();
    });
    AuthHandlers auth = new AuthHandlers(credentials);
    // routes are matched in this order, one pattern after another: the lobby, which takes the bursts, first
    List<ApiRoutes> api = List.of(
        new LobbyRoutes(auth, capabilities.lobby()),
        new EventRoutes(auth),
        new RegistrationRoutes(auth, capabilities.lobby()),
        new InviteRoutes(auth, new InviteCodes(stores), capabilities.catalog()),
        new AttendanceRoutes(auth, capabilities.catalog()),
        new GatewayRoutes(auth, capabilities.catalog()),
        new PresenterTokenRoutes(auth, credentials.presenters(), capabilities.catalog()),
        new InteractionRoutes(auth),
        new QuizRoutes(auth),
        new OpsRoutes(auth, live, capabilities.presence(), nodeId, sso.describe()),
        sso::mountApi);
    JsonObject nodeInfo = new JsonObject().put("node", nodeId).put("region", config.node().region());
    RouterFactory routes = new RouterFactory(config.http().maxBodyBytes(), config.http().requestTimeout(),
        readinessChecks(vertx, stores, live),
        metrics, nodeInfo, sso::mountSignIn, api);
    int instances = config.http().instances() > 0 ? config.http().instances()
        : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    AtomicInteger port = new AtomicInteger();
    return vertx.deployVerticle(() -> new HttpServerVerticle(config.http(), config.gateway(), routes::create,
            capabilities.gateway()::webSocketHandler, port::set),
        new DeploymentOptions().setInstances(instances))
        .map(id -> {
          opened.add(() -> capabilities.gateway().drain().eventually(() -> vertx.undeploy(id)));
          return port.get();
        });
  }

  /** The node's own database as "postgres", as without regions; every other region's as "postgres-<region>". */
  private static HealthChecks readinessChecks(Vertx vertx, RegionalStores stores, LiveState live) {
    HealthChecks checks = HealthChecks.create(vertx);
    stores.all().keySet().forEach(region -> registerCheck(checks,
        region.equals(stores.homeRegion()) ? "postgres" : "postgres-" + region,
        () -> stores.probe(region)));
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

  private void announce(FoyerConfig config) {
    String cluster = config.cluster().enabled()
        ? "clustered (Hazelcast on " + config.cluster().host() + ":" + config.cluster().port() + ", members "
            + config.cluster().members() + ")"
        : "single node";
    log.info("Foyer {} node {} (region {}) listening on http://{}:{}", FoyerVersion.get(), nodeId,
        config.node().region(), config.http().host(), httpPort);
    log.info("Store: {}; LiveState: {}; mode: {}; configuration: {}", store.describe(), live.engineName(), cluster,
        config.sources());
    if (regions.regional()) {
      log.info("Data residency: regions {} (this node's: {}); each event's rows live in its home region's database",
          regions.all().keySet(), regions.homeRegion());
    }
  }

  /** Where people open this node's pages: its host, or localhost when it listens on every address. */
  private String baseUrl(FoyerConfig config) {
    String host = config.http().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "localhost";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + httpPort;
  }

  /** What a node has opened so far; closed in reverse order, each step whatever became of the one before. */
  private static final class Opened {
    private final Deque<Supplier<Future<?>>> closers = new ArrayDeque<>();

    void add(Supplier<Future<?>> closer) {
      synchronized (closers) {
        closers.push(closer);
      }
    }

    <T> T add(T part, java.util.function.Function<T, Future<?>> close) {
      add(() -> close.apply(part));
      return part;
    }

    Future<Void> closeAll() {
      Future<?> chain = Future.succeededFuture();
      Supplier<Future<?>> next;
      while ((next = poll()) != null) {
        Supplier<Future<?>> closer = next;
        chain = chain.eventually(closer::get);
      }
      return chain.mapEmpty();
    }

    private Supplier<Future<?>> poll() {
      synchronized (closers) {
        return closers.poll();
      }
    }
  }
}
