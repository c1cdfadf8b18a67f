package io.foyer.gateway;

import io.foyer.bus.Bus;
import io.foyer.live.LiveState.HistoryEntry;
import io.foyer.live.LiveState.HistorySlice;
import io.foyer.presence.PresenceMessages;
import io.foyer.presence.PresenceMessages.Joined;
import io.foyer.presence.PresenceMessages.Left;
import io.foyer.problem.ProblemException;
import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The topics one socket subscribes to, each tracked by the last sequence number sent, so that a resumed
 * subscription gets every missed message once, in order. A subscription is first reserved (while access is
 * checked), then catches up (live messages are held while history is replayed), then is live.
 */
final class Subscriptions {

  /** Live messages held for one subscription while its history is replayed; more means the client is far behind. */
  private static final int MAX_HELD = 10_000;

  /** A live message that arrived while its subscription was still catching up. */
  private record Held(long seq, Pushed message) {}

  private static final class Subscription {
    long lastSent;
    /** Counted in presence and attendance; only such a subscription's leave is recorded. */
    boolean joined;
    /** Non-null until the subscription is live. */
    List<Held> held = new ArrayList<>();
  }

  private final Connection connection;
  private final GatewayServices services;
  private final Map<String, Subscription> byTopic = new HashMap<>();

  Subscriptions(Connection connection, GatewayServices services) {
    this.connection = connection;
    this.services = services;
  }

  /** A live message for a topic of this socket: held while catching up, written unless already sent. */
  void deliver(String topic, long seq, Pushed message) {
    Subscription subscription = byTopic.get(topic);
    if (subscription == null) {
      return;
    }
    if (subscription.held != null) {
      if (subscription.held.size() >= MAX_HELD) {
        connection.close(CloseCodes.TOO_SLOW, "too far behind; reconnect and resume");
      } else {
        subscription.held.add(new Held(seq, message));
      }
      return;
    }
    if (seq > subscription.lastSent) {
      subscription.lastSent = seq;
      connection.writeShared(message.in(connection.language()));
    }
  }

  void subscribe(Client client, String re, Topic topic, Long since) {
    Subscription existing = byTopic.get(topic.name());
    if (existing != null) {
      connection.send(Frames.reply("subscribed", re).put("topic", topic.name()).put("seq", existing.lastSent)
          .encode());
      return;
    }
    // reserved at once: a second subscribe, or an unsubscribe, during the checks below sees it
    Subscription subscription = new Subscription();
    byTopic.put(topic.name(), subscription);
    services.access().check(client, topic)
        .compose(v -> connection.group().subscribe(topic.name(), connection))
        .compose(v -> since == null ? startAtNewest(topic, subscription) : replay(topic, since, subscription))
        .onComplete(ar -> {
          if (connection.isClosed() || byTopic.get(topic.name()) != subscription) {
            return;
          }
          if (ar.succeeded()) {
            goLive(client, re, topic, subscription);
          } else {
            byTopic.remove(topic.name());
            connection.group().unsubscribe(topic.name(), connection);
            refuse(re, ar.cause());
          }
        });
  }

  /** Refused access keeps its problem's code; anything else is worth retrying. */
  private void refuse(String re, Throwable failure) {
    if (failure instanceof ProblemException problem && !problem.type().retryable()) {
      connection.send(Frames.error(re, problem.type().code(), problem.detail()));
    } else {
      connection.send(Frames.error(re, ErrorCode.UNAVAILABLE, "could not subscribe now; retry"));
    }
  }

  void unsubscribe(String re, Topic topic) {
    Subscription subscription = byTopic.remove(topic.name());
    if (subscription != null) {
      left(topic, subscription);
    }
    connection.send(Frames.reply("unsubscribed", re).put("topic", topic.name()).encode());
  }

  /** Leaves every topic; for a socket that closes. */
  void leaveAll() {
    for (Map.Entry<String, Subscription> entry : List.copyOf(byTopic.entrySet())) {
      left(Topic.parse(entry.getKey()), entry.getValue());
    }
    byTopic.clear();
  }

  private Future<Void> startAtNewest(Topic topic, Subscription subscription) {
    return services.live().lastSequence(topic.name()).map(last -> {
      subscription.lastSent = last;
      return null;
    });
  }

  /**
   * Joined the live stream first (holding what arrives), then replays history or sends a reset: nothing falls
   * between the replay and the live stream, and nothing comes twice.
   */
  private Future<Void> replay(Topic topic, long since, Subscription subscription) {
    return services.live().readSince(topic.name(), since, services.historyMaxAge()).compose(slice -> {
      if (connection.isClosed()) {
        return Future.succeededFuture();
      }
      // a client ahead of the topic saw numbers from before the history was lost: only a snapshot is safe
      if (!slice.complete() || since > slice.lastSequence()) {
        return reset(topic, slice, subscription);
      }
      for (HistoryEntry entry : slice.entries()) {
        connection.send(Frames.messageIn(topic.name(), entry.sequence(), entry.payload(), connection.language()));
      }
      subscription.lastSent = slice.lastSequence();
      return Future.succeededFuture();
    });
  }

  private Future<Void> reset(Topic topic, HistorySlice slice, Subscription subscription) {
    return services.snapshots().of(topic, slice).map(snapshot -> {
      subscription.lastSent = slice.lastSequence();
      connection.send(Frames.reply("reset", null).put("topic", topic.name()).put("seq", slice.lastSequence())
          .put("snapshot", snapshot).encode());
      return null;
    });
  }

  /** Confirms, releases what was held in order, and counts the attendee in a session. */
  private void goLive(Client client, String re, Topic topic, Subscription subscription) {
    connection.send(Frames.reply("subscribed", re).put("topic", topic.name()).put("seq", subscription.lastSent)
        .encode());
    List<Held> held = subscription.held;
    subscription.held = null;
    for (Held message : held) {
      deliver(topic.name(), message.seq(), message.message());
    }
    if (!connection.isClosed() && byTopic.get(topic.name()) == subscription && client.attendee()
        && topic.kind() == Topic.Kind.SESSION) {
      subscription.joined = true;
      services.presence().arrived(topic.name());
      Bus.tell(services.vertx(), PresenceMessages.JOINED,
          new Joined(topic.numericId(), client.registrationId(), connection.id(), now()));
    }
  }

  private void left(Topic topic, Subscription subscription) {
    connection.group().unsubscribe(topic.name(), connection);
    if (subscription.joined) {
      subscription.joined = false;
      services.presence().left(topic.name());
      Bus.tell(services.vertx(), PresenceMessages.LEFT, new Left(topic.numericId(), connection.id(), now()));
    }
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}
