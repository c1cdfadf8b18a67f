package io.foyer.gateway;

import io.foyer.config.FoyerConfig.LiveConfig;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The one way every capability pushes to attendees. A message gets the topic's next sequence number and a
 * place in the topic's history (LiveState, so any node can replay it), then goes out by the {@link PushTransport}
 * (the event bus, or Redis pub/sub) to every node, whose {@link TopicHub} hands it to its local sockets.
 */
public final class Gateway {

  static final String SEQ_HEADER = "seq";

  private final PushTransport transport;
  private final LiveState live;
  private final LiveConfig config;

  Gateway(PushTransport transport, LiveState live, LiveConfig config) {
    this.transport = transport;
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

  /** The transport carries the body as history keeps it; each node frames it for its sockets ({@link Pushed}). */
  private Future<Long> publish(Topic topic, String body) {
    return live.append(topic.name(), body, config.historySize(), config.historyMaxAge()).map(seq -> {
      transport.publish(topic, seq, body);
      return seq;
    });
  }

  PushTransport transport() {
    return transport;
  }

  LiveState live() {
    return live;
  }

  LiveConfig config() {
    return config;
  }
}
