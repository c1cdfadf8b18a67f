package io.foyer.gateway;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sockets of one event loop, by topic. Only ever touched on that event loop, so delivering a message
 * to a thousand sockets is a loop over a set, with no locks and no copies of the message.
 */
final class LocalSockets {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LocalSockets.class);

  private final Context context;
  private final TopicHub hub;
  private final Counter failedDeliveries;
  private final Map<String, Subscribers> byTopic = new HashMap<>();
  private final Set<Connection> connections = new HashSet<>();
  private final AtomicInteger open = new AtomicInteger();

  /**
   * The sockets of one topic, with an array copy made only when they change: a delivery loops over the
   * array, so a socket closed during the loop (too slow) cannot disturb it, and no copy is made per message.
   */
  private static final class Subscribers {
    final Set<Connection> members = new HashSet<>();
    Connection[] snapshot;

    Connection[] snapshot() {
      if (snapshot == null) {
        snapshot = members.toArray(new Connection[0]);
      }
      return snapshot;
    }
  }

  /**
   * Made in the start of the HTTP verticle that owns the event loop (context), so that its liveness timer
   * belongs to that verticle and stops with it.
   */
  LocalSockets(Context context, TopicHub hub, long livenessIntervalMillis, Counter failedDeliveries) {
    this.context = context;
    this.hub = hub;
    this.failedDeliveries = failedDeliveries;
    context.owner().setPeriodic(livenessIntervalMillis, id -> checkLiveness());
  }

  Context context() {
    return context;
  }

  void opened(Connection connection) {
    if (connections.add(connection)) {
      open.incrementAndGet();
    }
  }

  void closed(Connection connection) {
    if (connections.remove(connection)) {
      open.decrementAndGet();
    }
  }

  /** Open sockets; safe to read from any thread (metrics). */
  int size() {
    return open.get();
  }

  /** Adds a subscriber; completes once this node receives the topic. */
  Future<Void> subscribe(String topic, Connection connection) {
    Subscribers subscribers = byTopic.computeIfAbsent(topic, t -> new Subscribers());
    if (subscribers.members.add(connection)) {
      subscribers.snapshot = null;
    }
    return hub.join(topic, this);
  }

  void unsubscribe(String topic, Connection connection) {
    Subscribers subscribers = byTopic.get(topic);
    if (subscribers != null && subscribers.members.remove(connection)) {
      subscribers.snapshot = null;
      if (subscribers.members.isEmpty()) {
        byTopic.remove(topic);
        hub.leave(topic, this);
      }
    }
  }

  void deliver(String topic, long seq, Pushed message) {
    Subscribers subscribers = byTopic.get(topic);
    if (subscribers != null) {
      for (Connection connection : subscribers.snapshot()) {
        try {
          connection.deliver(topic, seq, message);
        } catch (RuntimeException e) {
          // one broken socket must not keep the message from the others
          deliveryFailed(topic, e);
        }
      }
    }
  }

  void deliverEphemeral(String topic, SharedFrame frame) {
    Subscribers subscribers = byTopic.get(topic);
    if (subscribers != null) {
      for (Connection connection : subscribers.snapshot()) {
        try {
          connection.deliverEphemeral(frame);
        } catch (RuntimeException e) {
          deliveryFailed(topic, e);
        }
      }
    }
  }

  private void deliveryFailed(String topic, RuntimeException e) {
    failedDeliveries.increment();
    log.warn("Delivery of a {} message to a socket failed: {}", topic, e.toString());
  }

  /** Tells every socket to reconnect elsewhere after a random delay, then closes them; completes when done. */
  Future<Void> drain(long jitterMillis) {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(v -> {
      try {
        for (Connection connection : List.copyOf(connections)) {
          long after = jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1);
          try {
            connection.tellToReconnect(after);
          } catch (RuntimeException e) {
            log.debug("Could not tell a socket to reconnect: {}", e.toString());
          }
        }
      } finally {
        drained.complete();
      }
    });
    return drained.future();
  }

  private void checkLiveness() {
    long now = System.nanoTime();
    for (Connection connection : List.copyOf(connections)) {
      try {
        connection.checkLiveness(now);
      } catch (RuntimeException e) {
        log.debug("Liveness check of a socket failed: {}", e.toString());
      }
    }
  }
}
