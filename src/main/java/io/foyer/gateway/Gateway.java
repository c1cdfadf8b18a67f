package io.foyer.gateway;

import io.foyer.config.FoyerConfig.LiveConfig;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The one way every capability pushes to attendees. A message gets the topic's next sequence number and a
 * place in the topic's history (LiveState, so any node can replay it), then goes out on the event bus to every
 * node, whose {@link TopicHub} hands it to its local sockets.
 */
public final class Gateway {

  static final String SEQ_HEADER = "seq";

  private final Vertx vertx;
  private final LiveState live;
  private final LiveConfig config;

  public Gateway(Vertx vertx, LiveState live, LiveConfig config) {
    this.vertx = vertx;
    this.live = live;
    this.config = config;
  }

  /** Publishes a message of the given kind; completes with its sequence number once it is in the history. */
  public Future<Long> publish(Topic topic, String kind, JsonObject data) {
    return publish(topic, Frames.body(kind, Times.format(Instant.now()), data));
  }

  /** Publishes a message whose data each socket receives in its own language (see {@link Translated}). */
  public Future<Long> publish(Topic topic, String kind, Translated data) {
    return publish(topic, Frames.translatedBody(kind, Times.format(Instant.now()), data));
  }

  /** The event bus carries the body as history keeps it; each node frames it for its sockets ({@link Pushed}). */
  private Future<Long> publish(Topic topic, String body) {
    return live.append(topic.name(), body, config.historySize(), config.historyMaxAge()).map(seq -> {
      vertx.eventBus().publish(topic.address(), body, new DeliveryOptions().addHeader(SEQ_HEADER, Long.toString(seq)));
      return seq;
    });
  }

  LiveState live() {
    return live;
  }

  LiveConfig config() {
    return config;
  }
}
