package io.foyer.http;

import io.foyer.config.FoyerConfig.GatewayConfig;
import io.foyer.config.FoyerConfig.HttpConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Consumer;
import java.util.function.Function;

/** Serves the REST API, static pages, health and metrics; deployed once per event loop. */
public final class HttpServerVerticle extends VerticleBase {

  private final HttpConfig config;
  private final GatewayConfig gateway;
  private final Function<io.vertx.core.Vertx, Router> routes;
  private final Function<Context, Handler<HttpServerRequest>> webSockets;
  private final Consumer<Integer> onListening;
  /** Where clients open their WebSocket (docs/protocol.md). */
  public static final String WEB_SOCKET_PATH = "/ws";

  private HttpServer server;

  /**
   * @param routes builds this instance's router
   * @param webSockets builds this instance's handler of WebSocket upgrades on /ws, given its context
   * @param onListening told the port actually bound (useful when the configured port is 0)
   */
  public HttpServerVerticle(HttpConfig config, GatewayConfig gateway, Function<io.vertx.core.Vertx, Router> routes,
      Function<Context, Handler<HttpServerRequest>> webSockets, Consumer<Integer> onListening) {
    this.config = config;
    this.gateway = gateway;
    this.routes = routes;
    this.webSockets = webSockets;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setCompressionSupported(true)
        // a negotiated deflate context costs about 90 KB of native memory per socket: only when configured
        .setPerMessageWebSocketCompressionSupported(gateway.compression())
        .setPerFrameWebSocketCompressionSupported(gateway.compression())
        // the gateway closes a message over maxMessageBytes with 1009 itself; far larger ones are cut off here
        .setMaxWebSocketFrameSize(hardLimit())
        .setMaxWebSocketMessageSize(hardLimit());
    Router router = routes.apply(vertx);
    Handler<HttpServerRequest> webSocket = webSockets.apply(context);
    server = vertx.createHttpServer(options).requestHandler(request -> {
      if (WEB_SOCKET_PATH.equals(request.path())) {
        webSocket.handle(request);
      } else {
        router.handle(request);
      }
    });
    return server.listen().onSuccess(s -> onListening.accept(s.actualPort()));
  }

  private int hardLimit() {
    return Math.max(4 * gateway.maxMessageBytes(), 65536);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
