package io.foyer.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

/** Pushes over the event bus: local on one node, to every member on a clustered one (the default). */
final class BusPushTransport implements PushTransport {

  private final Vertx vertx;

  BusPushTransport(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public void publish(Topic topic, long seq, String body) {
    vertx.eventBus().publish(topic.address(), body,
        new DeliveryOptions().addHeader(Gateway.SEQ_HEADER, Long.toString(seq)));
  }

  @Override
  public Receiver receive(String topic, Delivery delivery) {
    MessageConsumer<String> consumer = vertx.eventBus().consumer(Topic.ADDRESS_PREFIX + topic,
        message -> delivery.message(Long.parseLong(message.headers().get(Gateway.SEQ_HEADER)), message.body()));
    return new Receiver() {
      @Override
      public Future<Void> ready() {
        return consumer.completion();
      }

      @Override
      public Future<Void> cancel() {
        return consumer.unregister();
      }
    };
  }
}
