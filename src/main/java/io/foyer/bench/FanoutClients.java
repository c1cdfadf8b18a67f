package io.foyer.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * Many WebSocket clients spread over several 127.0.0.x source addresses (each address has its own ~28,000
 * ephemeral ports), recording for every broadcast message how many clients got it and when the last did.
 */
final class FanoutClients {

  private static final int CONNECTS_IN_FLIGHT = 200;
  private static final String MESSAGE_PREFIX = "{\"type\":\"message\"";
  private static final String BODY_MARKER = "\"body\":\"";

  private final Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<WebSocket> sockets = new ArrayList<>();
  private final AtomicIntegerArray received;
  private final AtomicLongArray lastArrival;
  private final AtomicInteger ready = new AtomicInteger();

  FanoutClients(Vertx vertx, int sourceAddresses, int maxMessages) {
    this.vertx = vertx;
    for (int i = 0; i < sourceAddresses; i++) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress("127.0.0." + (2 + i))
          .setMaxConnections(Integer.MAX_VALUE).setConnectTimeout(60_000)));
    }
    this.received = new AtomicIntegerArray(maxMessages);
    this.lastArrival = new AtomicLongArray(maxMessages);
  }

  /**
   * Opens count sockets to uri(i) on the port, at most a few hundred handshakes at a time; each is counted
   * ready when readyWhen(frame) says so, and a frame that needs an answer gets replyTo(frame) (null: none).
   */
  Future<Void> connect(String host, int port, int count, Function<Integer, String> uri,
      Function<JsonObject, Boolean> readyWhen, Function<JsonObject, String> replyTo) {
    Promise<Void> all = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    for (int lane = 0; lane < Math.min(CONNECTS_IN_FLIGHT, count); lane++) {
      connectNext(host, port, count, uri, readyWhen, replyTo, next, done, all);
    }
    return all.future();
  }

  int ready() {
    return ready.get();
  }

  private void connectNext(String host, int port, int count, Function<Integer, String> uri,
      Function<JsonObject, Boolean> readyWhen,
      Function<JsonObject, String> replyTo, AtomicInteger next, AtomicInteger done, Promise<Void> all) {
    int i = next.getAndIncrement();
    if (i >= count) {
      return;
    }
    WebSocketClient client = clients.get(i % clients.size());
    // a handshake that never completes fails after a minute instead of holding the whole run
    vertx.runOnContext(v -> client.connect(new WebSocketConnectOptions().setHost(host).setPort(port)
            .setURI(uri.apply(i)).setTimeout(60_000))
        .onSuccess(socket -> {
          synchronized (sockets) {
            sockets.add(socket);
          }
          boolean[] counted = {false};
          socket.textMessageHandler(text -> {
            // broadcasts are only scanned, not parsed: the clients share the machine with the server measured
            if (text.startsWith(MESSAGE_PREFIX)) {
              record(text);
              return;
            }
            JsonObject frame = new JsonObject(text);
            if (!counted[0] && readyWhen.apply(frame)) {
              counted[0] = true;
              ready.incrementAndGet();
            }
            String reply = replyTo.apply(frame);
            if (reply != null) {
              socket.writeTextMessage(reply);
            }
          });
          if (done.incrementAndGet() == count) {
            all.tryComplete();
          }
          connectNext(host, port, count, uri, readyWhen, replyTo, next, done, all);
        })
        .onFailure(err -> all.tryFail("connection " + i + " failed: " + err.getMessage())));
  }

  /** A broadcast frame carries "id:sentNanos" in data.body (Foyer's frame shape, also sent by the baseline). */
  private void record(String frame) {
    long now = System.nanoTime();
    int start = frame.indexOf(BODY_MARKER) + BODY_MARKER.length();
    int id = Integer.parseInt(frame, start, frame.indexOf(':', start), 10);
    received.incrementAndGet(id);
    lastArrival.accumulateAndGet(id, now, Math::max);
  }

  int receivedBy(int message) {
    return received.get(message);
  }

  long lastArrival(int message) {
    return lastArrival.get(message);
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.forEach(client -> closing.add(client.close()));
    return Future.join(closing).mapEmpty();
  }
}
