package io.foyer.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The bare limit for `foyer bench fanout --baseline`: a minimal Vert.x broadcast server doing the same writes
 * as Foyer without authentication, topics or history. POST /broadcast writes the body to every socket.
 */
@Command(name = "fanout-baseline-server", hidden = true,
    description = "Minimal Vert.x WebSocket broadcast server (the baseline of `foyer bench fanout`).")
public final class BroadcastBaselineServer implements Callable<Integer> {

  @Option(names = "--port", required = true)
  int port;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions());
    Set<ServerWebSocket> sockets = ConcurrentHashMap.newKeySet();
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .requestHandler(request -> {
          if (request.path().equals("/ws")) {
            request.toWebSocket().onSuccess(socket -> {
              sockets.add(socket);
              socket.closeHandler(v -> sockets.remove(socket));
            });
          } else if (request.path().equals("/broadcast")) {
            request.body().onSuccess(body -> {
              String text = body.toString();
              sockets.forEach(socket -> socket.writeTextMessage(text));
              request.response().end();
            });
          } else {
            request.response().setStatusCode(404).end();
          }
        })
        .listen().toCompletionStage().toCompletableFuture().join();
    Thread.currentThread().join();
    return 0;
  }
}
