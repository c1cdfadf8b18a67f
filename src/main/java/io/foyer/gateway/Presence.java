package io.foyer.gateway;

import io.foyer.live.LiveState;
import io.vertx.core.Future;

/**
 * Live attendee counts per event and session: each node adds and removes its own sockets in a LiveState hash
 * (one field per node), so the count is the sum over nodes, and the hub pushes it at most once a second.
 */
final class Presence {

  private final LiveState live;
  private final String nodeId;

  Presence(LiveState live, String nodeId) {
    this.live = live;
    this.nodeId = nodeId;
  }

  static String key(String topic) {
    return "presence:" + topic;
  }

  void arrived(String topic) {
    live.hashIncrement(key(topic), nodeId, 1);
  }

  void left(String topic) {
    live.hashIncrement(key(topic), nodeId, -1);
  }

  /** Everyone online for a topic, over every node. */
  Future<Long> online(String topic) {
    return live.hashCounters(key(topic)).map(counts -> counts.values().stream().mapToLong(Long::longValue).sum());
  }
}
