package io.foyer.gateway;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sockets of one event loop, by topic. Only ever touched on that event loop, so delivering a message
 * to a thousand sockets is a loop over a set, with no locks and no copies of the message.
 */
final class LocalSockets {

  private final Vertx vertx;
  private final Context context;
  private final TopicHub hub;
  private final Map<String, Set<Connection>> byTopic = new HashMap<>();
  private final Set<Connection> connections = new HashSet<>();

  LocalSockets(Vertx vertx, Context context, TopicHub hub, long livenessIntervalMillis) {
    this.vertx = vertx;
    this.context = context;
    this.hub = hub;
    // set on the verticle's context, so undeploying the verticle cancels it
    vertx.setPeriodic(livenessIntervalMillis, id -> checkLiveness());
  }

  Context context() {
    return context;
  }

  void opened(Connection connection) {
    connections.add(connection);
  }

  void closed(Connection connection) {
    connections.remove(connection);
  }

  int size() {
    return connections.size();
  }

  /** Adds a subscriber; completes once this node receives the topic. */
  Future<Void> subscribe(String topic, Connection connection) {
    Set<Connection> subscribers = byTopic.computeIfAbsent(topic, t -> new HashSet<>());
    subscribers.add(connection);
    return hub.join(topic, this);
  }

  void unsubscribe(String topic, Connection connection) {
    Set<Connection> subscribers = byTopic.get(topic);
    if (subscribers != null && subscribers.remove(connection) && subscribers.isEmpty()) {
      byTopic.remove(topic);
      hub.leave(topic, this);
    }
  }

  void deliver(String topic, long seq, ByteBuf frame) {
    Set<Connection> subscribers = byTopic.get(topic);
    if (subscribers != null) {
      // a slow socket is closed while we loop, which changes the set
      for (Connection connection : List.copyOf(subscribers)) {
        connection.deliver(topic, seq, frame);
      }
    }
  }

  void deliverEphemeral(String topic, ByteBuf frame) {
    Set<Connection> subscribers = byTopic.get(topic);
    if (subscribers != null) {
      for (Connection connection : List.copyOf(subscribers)) {
        connection.deliverEphemeral(frame);
      }
    }
  }

  /** Tells every socket to reconnect elsewhere after a random delay, then closes them; completes when done. */
  Future<Void> drain(long jitterMillis) {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(v -> {
      for (Connection connection : List.copyOf(connections)) {
        long after = jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1);
        connection.tellToReconnect(after);
      }
      drained.complete();
    });
    return drained.future();
  }

  private void checkLiveness() {
    long now = System.nanoTime();
    for (Connection connection : List.copyOf(connections)) {
      connection.checkLiveness(now);
    }
  }
}
