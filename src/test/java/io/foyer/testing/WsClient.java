package io.foyer.testing;

import static io.foyer.testing.TestNodes.await;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client for tests: sends protocol messages and waits for the frames a browser would get. */
public final class WsClient implements AutoCloseable {

  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final List<JsonObject> unconsumed = new ArrayList<>();
  private volatile Short closeCode;
  private int nextId;

  private WsClient(Vertx vertx, WebSocketClient client, String uri, int port) throws Exception {
    this.vertx = vertx;
    this.client = client;
    // connecting from the socket's own event loop sets the handlers before any frame can be dispatched, so a
    // frame the server sends at once is not lost
    Promise<WebSocket> opened = Promise.promise();
    vertx.runOnContext(v -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(uri)).onSuccess(ws -> {
          ws.textMessageHandler(text -> received.add(new JsonObject(text)));
          ws.closeHandler(x -> closeCode = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode());
        }).onComplete(opened));
    this.socket = await(opened.future());
  }

  /** Connects to /ws on the port, with the token in the URL when given. */
  public static WsClient connect(int port, String token) throws Exception {
    return connect(port, token, 65536);
  }

  public static WsClient connect(int port, String token, int maxFrameSize) throws Exception {
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(maxFrameSize).setMaxMessageSize(maxFrameSize * 4));
    String uri = token == null ? "/ws" : "/ws?token=" + token;
    return new WsClient(vertx, client, uri, port);
  }

  /** Sends a request with a fresh id and returns the id. */
  public String send(JsonObject request) {
    String id = "c" + (++nextId);
    socket.writeTextMessage(request.copy().put("id", id).encode());
    return id;
  }

  public void sendRaw(String text) {
    socket.writeTextMessage(text);
  }

  /**
   * Takes the first frame, in arrival order, that matches; frames passed over stay for later calls.
   * Waits up to 10 s.
   */
  public JsonObject next(Predicate<JsonObject> wanted) throws InterruptedException {
    for (int i = 0; i < unconsumed.size(); i++) {
      if (wanted.test(unconsumed.get(i))) {
        return unconsumed.remove(i);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject frame = received.poll(100, TimeUnit.MILLISECONDS);
      if (frame != null) {
        seen.add(frame);
        if (wanted.test(frame)) {
          return frame;
        }
        unconsumed.add(frame);
      }
    }
    throw new AssertionError("no matching frame within 10 s; seen: " + seen);
  }

  public JsonObject next(String type) throws InterruptedException {
    return next(frame -> type.equals(frame.getString("type")));
  }

  /** Subscribes and waits for the confirmation. */
  public JsonObject subscribe(String topic, Long since) throws InterruptedException {
    JsonObject request = new JsonObject().put("type", "subscribe").put("topic", topic);
    if (since != null) {
      request.put("since", since);
    }
    String id = send(request);
    return next(frame -> id.equals(frame.getString("re")));
  }

  /** Frames received so far and not yet taken by next(), without waiting. */
  public List<JsonObject> drain() {
    List<JsonObject> fresh = new ArrayList<>();
    received.drainTo(fresh);
    seen.addAll(fresh);
    List<JsonObject> frames = new ArrayList<>(unconsumed);
    frames.addAll(fresh);
    unconsumed.clear();
    return frames;
  }

  public List<JsonObject> seen() {
    return seen;
  }

  /** The close code once the server closed the socket, else null. */
  public Short closeCode() {
    return closeCode;
  }

  public WebSocket socket() {
    return socket;
  }

  @Override
  public void close() throws Exception {
    if (closeCode == null) {
      socket.close();
    }
    client.close();
    await(vertx.close());
  }
}
