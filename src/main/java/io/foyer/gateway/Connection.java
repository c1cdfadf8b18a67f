package io.foyer.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket: its lifecycle, limits and writes. What the client says is handled by
 * {@link Requests}, who it is by {@link Authentication}, what it receives by {@link Subscriptions}. Lives on
 * its socket's event loop only.
 */
final class Connection {

  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private final String id = UUID.randomUUID().toString();
  private final ServerWebSocket socket;
  private final LocalSockets group;
  private final GatewayServices services;
  private final TokenBucket bucket;
  private final Authentication authentication;
  private final Subscriptions subscriptions;
  private long lastSeen = System.nanoTime();
  private int rateLimitStrikes;
  private boolean closed;

  Connection(ServerWebSocket socket, LocalSockets group, GatewayServices services) {
    this.socket = socket;
    this.group = group;
    this.services = services;
    this.bucket = new TokenBucket(services.config().inboundRatePerSecond(), services.config().inboundBurst(),
        System.nanoTime());
    this.authentication = new Authentication(this, services);
    this.subscriptions = new Subscriptions(this, services);
  }

  /**
   * Wires the socket; a token from the upgrade URL (with the lobby's admission, if the client has one) authenticates
   * at once, otherwise a hello must come soon.
   */
  void start(String urlToken, String urlAdmission) {
    group.opened(this);
    socket.setWriteQueueMaxSize(services.config().writeQueueMaxBytes());
    socket.textMessageHandler(text -> Requests.handle(this, text));
    socket.binaryMessageHandler(b -> {
      if (received()) {
        send(Frames.error(null, ErrorCode.BAD_REQUEST, "send JSON text frames, not binary"));
      }
    });
    socket.pongHandler(b -> lastSeen = System.nanoTime());
    socket.exceptionHandler(err -> log.debug("WebSocket {} failed: {}", id, err.toString()));
    socket.closeHandler(v -> cleanUp());
    authentication.start(urlToken, urlAdmission);
  }

  /** The peer's address, for the audit trail of what an organizer or presenter does over this socket. */
  String remoteAddress() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
  }

  String id() {
    return id;
  }

  LocalSockets group() {
    return group;
  }

  GatewayServices services() {
    return services;
  }

  Authentication authentication() {
    return authentication;
  }

  Subscriptions subscriptions() {
    return subscriptions;
  }

  boolean isClosed() {
    return closed;
  }

  /** A live message for a topic this socket subscribes to. */
  void deliver(String topic, long seq, Pushed message) {
    if (!closed) {
      subscriptions.deliver(topic, seq, message);
    }
  }

  /** The language this socket receives translated content in; null for every language (or not yet known). */
  String language() {
    Client client = authentication.client();
    return client == null ? null : client.language();
  }

  void deliverEphemeral(SharedFrame frame) {
    writeShared(frame);
  }

  void tellToReconnect(long afterMillis) {
    if (closed) {
      return;
    }
    send(Frames.reply("reconnect", null).put("afterMs", afterMillis).put("reason", "node shutting down").encode());
    close(CloseCodes.SERVICE_RESTART, "node shutting down; reconnect to another node");
  }

  void checkLiveness(long now) {
    if (closed) {
      return;
    }
    if (now - lastSeen > services.config().idleTimeout().toNanos()) {
      close(CloseCodes.IDLE, "idle for too long; reconnect and resume");
    } else if (!socket.isClosed()) {
      socket.writePing(Buffer.buffer());
    }
  }

  /**
   * Notes a client message and takes a token from the rate bucket; over the limit, says so or, for a client
   * that keeps going, closes. False when the message must be ignored.
   */
  boolean received() {
    lastSeen = System.nanoTime();
    if (bucket.take(lastSeen)) {
      rateLimitStrikes = 0;
      return true;
    }
    if (++rateLimitStrikes > services.config().inboundBurst()) {
      close(CloseCodes.RATE_LIMITED, "too many messages");
    } else {
      send(Frames.error(null, ErrorCode.RATE_LIMITED, "more than " + services.config().inboundRatePerSecond()
          + " messages per second; slow down"));
    }
    return false;
  }

  void send(String frame) {
    if (writable()) {
      socket.writeTextMessage(frame);
    }
  }

  void writeShared(SharedFrame frame) {
    if (writable()) {
      Frames.writeShared(socket, frame);
    }
  }

  /** Whether a frame may be written now; a closing socket is cleaned up, one too far behind is closed. */
  private boolean writable() {
    if (closed) {
      return false;
    }
    if (socket.isClosed()) {
      // the client's close frame is in but our close handler has not run yet: writing would throw
      cleanUp();
      return false;
    }
    if (socket.writeQueueFull()) {
      close(CloseCodes.TOO_SLOW, "too slow; reconnect and resume");
      return false;
    }
    return true;
  }

  void close(short code, String reason) {
    if (closed) {
      return;
    }
    cleanUp();
    socket.close(code, reason);
  }

  /** Runs once, whoever closed the socket. */
  private void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    subscriptions.leaveAll();
    authentication.leave();
    group.closed(this);
  }
}
