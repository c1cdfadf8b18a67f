package io.foyer.gateway;

import io.vertx.core.Future;

/**
 * How a topic's sequenced messages travel from the node that published them to every node whose sockets want
 * them: the clustered event bus ({@link BusPushTransport}), or Redis pub/sub ({@link RedisPushTransport}), which
 * also reaches nodes of other clusters sharing the Redis (one cluster per region). Either way a message may be
 * missed or overtaken; {@link TopicHub} restores order and fills gaps from the topic's history.
 */
interface PushTransport {

  /** Sends a message, already in the topic's history under seq, to every node receiving the topic. */
  void publish(Topic topic, long seq, String body);

  /** Starts receiving a topic; called on the hub's context, and deliveries run on it. */
  Receiver receive(String topic, Delivery delivery);

  /** Opens what the transport needs; called on the hub's context when it starts. */
  default Future<Void> open() {
    return Future.succeededFuture();
  }

  /** Stops receiving everything. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** What a receiving node does with a topic's messages. */
  interface Delivery {
    void message(long seq, String body);

    /** Messages may have been missed (the transport lost its connection and has it back): catch up from history. */
    void mayHaveMissed();
  }

  /** One topic being received. */
  interface Receiver {
    /** Completes once messages published from now on reach this node. */
    Future<Void> ready();

    Future<Void> cancel();
  }
}
