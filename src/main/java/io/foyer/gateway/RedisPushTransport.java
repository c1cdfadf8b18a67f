package io.foyer.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes over Redis pub/sub, one channel per topic (`<live.keyPrefix>push:<topic>`, payload `<seq>:<body>`): every
 * node sharing the Redis receives the topics its sockets want, whichever cluster it belongs to, so clusters in
 * different regions need no event bus between them. A node subscribes on one connection of its own; when that
 * connection is lost it reconnects every second, subscribes again, and has each topic catch up from its history.
 *
 * <p>Subscriptions and deliveries belong to the hub's context; publishing may happen on any.
 */
final class RedisPushTransport implements PushTransport {

  private static final Logger log = LoggerFactory.getLogger(RedisPushTransport.class);
  private static final long RECONNECT_MILLIS = 1000;
  private static final int PUBLISH_CONNECTIONS = 4;

  private final Vertx vertx;
  private final RedisOptions options;
  private final String channelPrefix;
  /** Channel to what receives it; touched on the hub's context only. */
  private final Map<String, Delivery> receivers = new HashMap<>();
  private Redis publisher;
  private Redis subscriberClient;
  private RedisConnection subscriber;
  private Context context;
  private boolean closed;

  RedisPushTransport(Vertx vertx, String redisUrl, String keyPrefix) {
    this.vertx = vertx;
    this.options = new RedisOptions().setConnectionString(redisUrl);
    this.channelPrefix = keyPrefix + "push:";
  }

  @Override
  public Future<Void> open() {
    context = vertx.getOrCreateContext();
    publisher = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(PUBLISH_CONNECTIONS)
        .setMaxPoolWaiting(-1));
    // a connection of its own: in subscribed mode it takes no other command
    subscriberClient = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    return connectSubscriber();
  }

  @Override
  public void publish(Topic topic, long seq, String body) {
    // the message is in the history already: a node that misses it here catches up at the topic's next message
    publisher.send(Request.cmd(Command.PUBLISH).arg(channelPrefix + topic.name()).arg(seq + ":" + body))
        .onFailure(err -> log.warn("Could not publish to {} on Redis: {}", topic.name(), err.getMessage()));
  }

  @Override
  public Receiver receive(String topic, Delivery delivery) {
    String channel = channelPrefix + topic;
    receivers.put(channel, delivery);
    Future<Void> ready = subscriber == null
        ? Future.failedFuture("the node's Redis pub/sub connection is down; it reconnects every second")
        : subscriber.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).mapEmpty();
    return new Receiver() {
      @Override
      public Future<Void> ready() {
        return ready;
      }

      @Override
      public Future<Void> cancel() {
        receivers.remove(channel, delivery);
        return subscriber == null ? Future.succeededFuture()
            : subscriber.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)).<Void>mapEmpty()
                .recover(err -> Future.succeededFuture());
      }
    };
  }

  @Override
  public Future<Void> close() {
    closed = true;
    receivers.clear();
    Future<Void> subscriberClosed = subscriberClient == null ? Future.succeededFuture() : subscriberClient.close();
    Future<Void> publisherClosed = publisher == null ? Future.succeededFuture() : publisher.close();
    return Future.join(subscriberClosed, publisherClosed).mapEmpty();
  }

  private Future<Void> connectSubscriber() {
    return subscriberClient.connect().map(connection -> {
      subscriber = connection;
      connection.handler(this::onPush);
      connection.exceptionHandler(err -> onHub(() -> lost(connection, err.getMessage())));
      connection.endHandler(v -> onHub(() -> lost(connection, "closed")));
      return null;
    });
  }

  /** A message of a subscribed channel: ["message", channel, payload] (a RESP3 push or a RESP2 array). */
  private void onPush(Response push) {
    if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    Delivery delivery = receivers.get(push.get(1).toString());
    String payload = push.get(2).toString();
    int colon = payload.indexOf(':');
    if (delivery != null && colon > 0) {
      delivery.message(Long.parseLong(payload, 0, colon, 10), payload.substring(colon + 1));
    }
  }

  private void lost(RedisConnection connection, String why) {
    if (connection != subscriber || closed) {
      return;
    }
    subscriber = null;
    log.warn("Lost the Redis pub/sub connection ({}); reconnecting", why);
    vertx.setTimer(RECONNECT_MILLIS, id -> onHub(this::reconnect));
  }

  private void reconnect() {
    if (closed) {
      return;
    }
    connectSubscriber()
        .compose(v -> {
          if (receivers.isEmpty()) {
            return Future.<Void>succeededFuture();
          }
          Request subscribe = Request.cmd(Command.SUBSCRIBE);
          receivers.keySet().forEach(subscribe::arg);
          return subscriber.send(subscribe).mapEmpty();
        })
        .onSuccess(v -> {
          log.info("Redis pub/sub connection back; {} topic(s) subscribed again", receivers.size());
          receivers.values().forEach(Delivery::mayHaveMissed);
        })
        .onFailure(err -> {
          if (subscriber != null) {
            subscriber.close();
            subscriber = null;
          }
          vertx.setTimer(RECONNECT_MILLIS, id -> onHub(this::reconnect));
        });
  }

  private void onHub(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
