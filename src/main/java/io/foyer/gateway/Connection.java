package io.foyer.gateway;

import io.foyer.auth.AttendeeTokens;
import io.foyer.auth.OrganizerKeys;
import io.foyer.config.FoyerConfig.GatewayConfig;
import io.foyer.live.LiveState;
import io.foyer.live.LiveState.HistoryEntry;
import io.foyer.live.LiveState.HistorySlice;
import io.foyer.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket: authentication, the protocol's requests, and delivery with per-topic sequence
 * tracking so that a resumed subscription gets every missed message once, in order. Lives on its socket's
 * event loop only.
 */
final class Connection {

  /** What a connection needs from the node. */
  record Services(Vertx vertx, GatewayConfig config, LiveState live, Duration historyMaxAge, AttendeeTokens tokens,
      OrganizerKeys keys, TopicAccess access, Snapshots snapshots, Presence presence, Attendance attendance,
      String nodeId) {}

  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /** Live messages held for one subscription while its history is replayed; more means the client is far behind. */
  private static final int MAX_CATCH_UP_BUFFER = 10_000;

  private static final class Subscription {
    long lastSent;
    boolean joined; // counted in presence and attendance
    List<Object[]> caughtUpLater; // non-null while replaying history: {seq, frame} received live meanwhile
  }

  private final String id = UUID.randomUUID().toString();
  private final ServerWebSocket socket;
  private final LocalSockets group;
  private final Services services;
  private final TokenBucket bucket;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private Client client;
  private long lastSeen = System.nanoTime();
  private long authTimer = -1;
  private int rateLimitStrikes;
  private boolean closed;

  Connection(ServerWebSocket socket, LocalSockets group, Services services) {
    this.socket = socket;
    this.group = group;
    this.services = services;
    this.bucket = new TokenBucket(services.config().inboundRatePerSecond(), services.config().inboundBurst(),
        System.nanoTime());
  }

  /** Wires the socket; a token from the upgrade URL authenticates at once, otherwise a hello must come soon. */
  void start(String urlToken) {
    group.opened(this);
    socket.setWriteQueueMaxSize(services.config().writeQueueMaxBytes());
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> {
      lastSeen = System.nanoTime();
      if (withinRate()) {
        onInvalid(null, "bad-request", "send JSON text frames, not binary");
      }
    });
    socket.pongHandler(b -> lastSeen = System.nanoTime());
    socket.exceptionHandler(err -> log.debug("WebSocket {} failed: {}", id, err.toString()));
    socket.closeHandler(v -> cleanUp());
    if (urlToken != null) {
      authenticate(urlToken, null);
    } else {
      authTimer = services.vertx().setTimer(services.config().authTimeout().toMillis(),
          t -> close(CloseCodes.UNAUTHORIZED, "no authentication in time"));
    }
  }

  /** A live message for a topic this socket subscribes to: written unless already sent. */
  void deliver(String topic, long seq, SharedFrame frame) {
    Subscription subscription = subscriptions.get(topic);
    if (subscription == null || closed) {
      return;
    }
    if (subscription.caughtUpLater != null) {
      if (subscription.caughtUpLater.size() >= MAX_CATCH_UP_BUFFER) {
        close(CloseCodes.TOO_SLOW, "too far behind; reconnect and resume");
        return;
      }
      subscription.caughtUpLater.add(new Object[] {seq, frame});
      return;
    }
    if (seq <= subscription.lastSent) {
      return;
    }
    subscription.lastSent = seq;
    writeShared(frame);
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
      socket.writePing(io.vertx.core.buffer.Buffer.buffer());
    }
  }

  private void onText(String text) {
    lastSeen = System.nanoTime();
    int max = services.config().maxMessageBytes();
    // a character is at most 3 UTF-8 bytes here, so only long texts need counting
    if (text.length() > max / 3 && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max) {
      close(CloseCodes.TOO_BIG, "message larger than " + max + " bytes");
      return;
    }
    if (!withinRate()) {
      return;
    }
    JsonObject request;
    try {
      Object parsed = Json.decodeValue(text);
      if (!(parsed instanceof JsonObject object)) {
        onInvalid(null, "bad-request", "each message must be a JSON object");
        return;
      }
      request = object;
    } catch (DecodeException e) {
      onInvalid(null, "invalid-json", "the message is not valid JSON");
      return;
    }
    Object idValue = request.getValue("id");
    if (idValue != null && !(idValue instanceof String)) {
      onInvalid(null, "bad-request", "id must be a string");
      return;
    }
    String re = (String) idValue;
    String type = request.getValue("type") instanceof String t ? t : null;
    if (type == null) {
      onInvalid(re, "bad-request", "type is required");
      return;
    }
    switch (type) {
      case "hello" -> onHello(re, request);
      case "ping" -> send(Frames.reply("pong", re).encode());
      case "subscribe" -> whenAuthenticated(re, () -> onSubscribe(re, request));
      case "unsubscribe" -> whenAuthenticated(re, () -> onUnsubscribe(re, request));
      default -> onInvalid(re, "unknown-type", "unknown message type '" + type + "'");
    }
  }

  /** Takes a token from the bucket; over the limit, says so or, for a client that keeps going, closes. */
  private boolean withinRate() {
    if (bucket.take(lastSeen)) {
      rateLimitStrikes = 0;
      return true;
    }
    if (++rateLimitStrikes > services.config().inboundBurst()) {
      close(CloseCodes.RATE_LIMITED, "too many messages");
    } else {
      send(Frames.error(null, "rate-limited", "more than " + services.config().inboundRatePerSecond()
          + " messages per second; slow down"));
    }
    return false;
  }

  private void onHello(String re, JsonObject request) {
    Object version = request.getValue("v", Frames.VERSION);
    if (!(version instanceof Number n) || n.intValue() != Frames.VERSION) {
      send(Frames.error(re, "unsupported-version", "this server speaks protocol version " + Frames.VERSION));
      close(CloseCodes.UNSUPPORTED_VERSION, "unsupported protocol version");
      return;
    }
    if (client != null) {
      onInvalid(re, "already-authenticated", "this socket is already authenticated");
      return;
    }
    if (!(request.getValue("token") instanceof String token) || token.isBlank()) {
      onInvalid(re, "bad-request", "hello needs a token");
      return;
    }
    authenticate(token, re);
  }

  private void authenticate(String token, String re) {
    services.tokens().verify(token)
        .compose(attendee -> services.access().registrationActive(attendee.registrationId())
            .compose(active -> active ? Future.succeededFuture(Client.of(attendee))
                : Future.failedFuture("registration cancelled or erased")))
        .recover(notAttendee -> services.keys().authenticate(token).map(Client::of)
            .map(Future::succeededFuture).orElseGet(() -> Future.failedFuture("unknown token")))
        .onSuccess(authenticated -> authenticated(authenticated, re))
        .onFailure(err -> {
          send(Frames.error(re, "unauthorized", "the token is invalid or expired"));
          close(CloseCodes.UNAUTHORIZED, "invalid token");
        });
  }

  private void authenticated(Client authenticated, String re) {
    if (closed) {
      return;
    }
    client = authenticated;
    services.vertx().cancelTimer(authTimer);
    if (client.attendee()) {
      services.presence().arrived(Topic.event(client.eventId()).name());
    }
    JsonArray topics = new JsonArray();
    if (client.eventId() != null) {
      topics.add(Topic.event(client.eventId()).name()).add(Topic.lobby(client.eventId()).name());
    }
    if (client.registrationId() != null) {
      topics.add(Topic.attendee(client.registrationId()).name());
    }
    send(Frames.reply("welcome", re).put("v", Frames.VERSION).put("node", services.nodeId())
        .put("connection", id).mergeIn(client.toJson()).put("topics", topics)
        .put("pingIntervalMs", services.config().pingInterval().toMillis()).encode());
  }

  private void onSubscribe(String re, JsonObject request) {
    Topic topic = Topic.parse(request.getValue("topic") instanceof String name ? name : null);
    if (topic == null) {
      onInvalid(re, "bad-request", "topic must be event:<id>, session:<id>, attendee:<id> or lobby:<id>");
      return;
    }
    Object since = request.getValue("since");
    if (since != null && !(since instanceof Number n && n.longValue() >= 0 && n.doubleValue() == n.longValue())) {
      onInvalid(re, "bad-request", "since must be the last sequence number received (a whole number)");
      return;
    }
    if (subscriptions.containsKey(topic.name())) {
      send(Frames.reply("subscribed", re).put("topic", topic.name())
          .put("seq", subscriptions.get(topic.name()).lastSent).encode());
      return;
    }
    // reserved at once: a second subscribe, or an unsubscribe, during the checks below sees it
    Subscription subscription = new Subscription();
    subscription.caughtUpLater = new ArrayList<>();
    subscriptions.put(topic.name(), subscription);
    services.access().check(client, topic).onComplete(ar -> {
      if (closed || subscriptions.get(topic.name()) != subscription) {
        return;
      }
      if (ar.failed()) {
        subscriptions.remove(topic.name());
        String code = ar.cause() instanceof ProblemException problem ? problem.type().code() : "internal";
        send(Frames.error(re, code, ar.cause().getMessage()));
      } else {
        startSubscription(re, topic, since == null ? null : ((Number) since).longValue(), subscription);
      }
    });
  }

  /**
   * Joins the live stream first, holding what arrives, then replays history (or sends a reset), then
   * releases what was held: nothing falls between the replay and the live stream, and nothing comes twice.
   */
  private void startSubscription(String re, Topic topic, Long since, Subscription subscription) {
    group.subscribe(topic.name(), this)
        .compose(v -> since == null ? services.live().lastSequence(topic.name()).map(last -> {
          subscription.lastSent = last;
          return null;
        }) : replay(topic, since, subscription))
        .onComplete(ar -> {
          if (closed || subscriptions.get(topic.name()) != subscription) {
            return;
          }
          if (ar.failed()) {
            subscriptions.remove(topic.name());
            leftTopic(topic.name(), subscription);
            send(Frames.error(re, "unavailable", "could not subscribe now; retry"));
            return;
          }
          send(Frames.reply("subscribed", re).put("topic", topic.name()).put("seq", subscription.lastSent).encode());
          List<Object[]> held = subscription.caughtUpLater;
          subscription.caughtUpLater = null;
          for (Object[] message : held) {
            deliver(topic.name(), (Long) message[0], (SharedFrame) message[1]);
          }
          // only a subscription still alive joins; its leave is recorded only if it joined
          if (!closed && subscriptions.get(topic.name()) == subscription && client.attendee()
              && topic.kind() == Topic.Kind.SESSION) {
            subscription.joined = true;
            services.presence().arrived(topic.name());
            services.attendance().joined(topic.numericId(), client.registrationId(), id);
          }
        });
  }

  private Future<Void> replay(Topic topic, long since, Subscription subscription) {
    return services.live().readSince(topic.name(), since, services.historyMaxAge()).compose(slice -> {
      if (closed) {
        return Future.succeededFuture();
      }
      // a client ahead of the topic saw numbers from before the history was lost: only a snapshot is safe
      if (!slice.complete() || since > slice.lastSequence()) {
        return reset(topic, slice, subscription);
      }
      for (HistoryEntry entry : slice.entries()) {
        send(Frames.message(topic.name(), entry.sequence(), entry.payload()));
      }
      subscription.lastSent = slice.lastSequence();
      return Future.succeededFuture();
    });
  }

  private Future<Void> reset(Topic topic, HistorySlice slice, Subscription subscription) {
    return services.snapshots().of(topic).map(snapshot -> {
      subscription.lastSent = slice.lastSequence();
      send(Frames.reply("reset", null).put("topic", topic.name()).put("seq", slice.lastSequence())
          .put("snapshot", snapshot).encode());
      return null;
    });
  }

  private void onUnsubscribe(String re, JsonObject request) {
    Topic topic = Topic.parse(request.getValue("topic") instanceof String t ? t : null);
    if (topic == null) {
      onInvalid(re, "bad-request", "topic must be event:<id>, session:<id>, attendee:<id> or lobby:<id>");
      return;
    }
    Subscription subscription = subscriptions.remove(topic.name());
    if (subscription != null) {
      leftTopic(topic.name(), subscription);
    }
    send(Frames.reply("unsubscribed", re).put("topic", topic.name()).encode());
  }

  private void leftTopic(String name, Subscription subscription) {
    group.unsubscribe(name, this);
    Topic topic = Topic.parse(name);
    if (subscription.joined && topic != null) {
      subscription.joined = false;
      services.presence().left(name);
      services.attendance().left(topic.numericId(), id);
    }
  }

  private void whenAuthenticated(String re, Runnable action) {
    if (client == null) {
      onInvalid(re, "unauthorized", "send hello with a token first");
    } else {
      action.run();
    }
  }

  private void onInvalid(String re, String code, String message) {
    send(Frames.error(re, code, message));
  }

  private void send(String frame) {
    if (writable()) {
      socket.writeTextMessage(frame);
    }
  }

  private void writeShared(SharedFrame frame) {
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

  private void close(short code, String reason) {
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
    services.vertx().cancelTimer(authTimer);
    for (Map.Entry<String, Subscription> entry : List.copyOf(subscriptions.entrySet())) {
      leftTopic(entry.getKey(), entry.getValue());
    }
    subscriptions.clear();
    if (client != null && client.attendee()) {
      services.presence().left(Topic.event(client.eventId()).name());
    }
    group.closed(this);
  }

}
