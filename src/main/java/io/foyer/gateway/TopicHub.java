package io.foyer.gateway;

import io.foyer.live.LiveState;
import io.foyer.live.LiveState.HistoryEntry;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node's single subscriber per topic. However many local sockets want a topic, the node consumes its
 * event-bus address once, puts each message in sequence order (filling any gap from the topic history, since
 * two publishers' messages may cross on the way), encodes it once, and hands the same bytes to each event
 * loop that holds subscribers. It also pushes presence counts, at most once a second per topic.
 *
 * <p>All state is touched on the hub's own context only.
 */
final class TopicHub {

  private static final long PRESENCE_INTERVAL_MILLIS = 1000;

  private record Pending(long seq, String frame) {}

  private static final class TopicState {
    final String name;
    final Set<LocalSockets> groups = new HashSet<>();
    MessageConsumer<String> consumer;
    Future<Void> ready;
    long lastSeq = -1;
    boolean filling;
    final List<Pending> pending = new ArrayList<>();
    long lastOnline = -1;

    TopicState(String name) {
      this.name = name;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final LiveState live;
  private final Duration maxAge;
  private final Map<String, TopicState> topics = new HashMap<>();
  private long presenceTimer = -1;

  TopicHub(Vertx vertx, Context context, LiveState live, Duration maxAge) {
    this.vertx = vertx;
    this.context = context;
    this.live = live;
    this.maxAge = maxAge;
    context.runOnContext(v -> presenceTimer = vertx.setPeriodic(PRESENCE_INTERVAL_MILLIS, id -> pushPresence()));
  }

  /** Adds a group of local sockets to a topic; completes, on the group's context, once the node consumes it. */
  Future<Void> join(String topic, LocalSockets group) {
    Promise<Void> joined = Promise.promise();
    context.runOnContext(v -> {
      TopicState state = topics.computeIfAbsent(topic, TopicState::new);
      state.groups.add(group);
      if (state.consumer == null) {
        // messages wait until the topic's current sequence is known, so the very first one is gap-checked too
        state.filling = true;
        state.consumer = vertx.eventBus().consumer(Topic.ADDRESS_PREFIX + topic, message -> onMessage(state, message));
        state.ready = state.consumer.completion()
            .compose(registered -> live.lastSequence(topic))
            .map(last -> {
              onHub(() -> {
                state.lastSeq = last;
                releaseHeld(state);
              });
              return (Void) null;
            });
        // a registration that failed must not stay cached: the next subscriber tries again. Its consumer goes
        // too: left registered, it would hold every later message of the topic in pending, for ever
        state.ready.onFailure(err -> onHub(() -> {
          if (topics.get(topic) == state) {
            topics.remove(topic);
          }
          state.consumer.unregister();
        }));
      }
      state.ready.onComplete(ar -> group.context().runOnContext(x -> joined.handle(ar)));
    });
    return joined.future();
  }

  /** Removes a group; the node stops consuming the topic when no local socket wants it any more. */
  void leave(String topic, LocalSockets group) {
    context.runOnContext(v -> {
      TopicState state = topics.get(topic);
      if (state == null) {
        return;
      }
      state.groups.remove(group);
      if (state.groups.isEmpty()) {
        topics.remove(topic);
        state.consumer.unregister();
      }
    });
  }

  /** Topics this node consumes (for tests and metrics). */
  Future<Integer> consumedTopics() {
    Promise<Integer> count = Promise.promise();
    context.runOnContext(v -> count.complete(topics.size()));
    return count.future();
  }

  void close() {
    context.runOnContext(v -> {
      vertx.cancelTimer(presenceTimer);
      topics.values().forEach(state -> state.consumer.unregister());
      topics.clear();
    });
  }

  private void onMessage(TopicState state, Message<String> message) {
    accept(state, Long.parseLong(message.headers().get(Gateway.SEQ_HEADER)), message.body());
  }

  private void accept(TopicState state, long seq, String frame) {
    if (state.filling) {
      state.pending.add(new Pending(seq, frame));
      return;
    }
    if (state.lastSeq >= 0 && seq <= state.lastSeq) {
      return;
    }
    if (state.lastSeq >= 0 && seq > state.lastSeq + 1) {
      fillGap(state, new Pending(seq, frame));
      return;
    }
    deliver(state, seq, frame);
  }

  /** A message overtook an earlier one: deliver the missing ones from history first, then what waited. */
  private void fillGap(TopicState state, Pending arrived) {
    state.filling = true;
    state.pending.add(arrived);
    live.readSince(state.name, state.lastSeq, maxAge).onComplete(ar -> onHub(() -> {
      if (ar.succeeded()) {
        for (HistoryEntry entry : ar.result().entries()) {
          if (entry.sequence() > state.lastSeq) {
            deliver(state, entry.sequence(), Frames.message(state.name, entry.sequence(), entry.payload()));
          }
        }
      } else {
        // the history cannot say what is missing: go on from the oldest held message; a subscriber that
        // notices the jump resumes through the history once it is back
        state.lastSeq = state.pending.stream().mapToLong(Pending::seq).min().orElse(state.lastSeq + 1) - 1;
      }
      releaseHeld(state);
    }));
  }

  /** Feeds held messages back in sequence order; a further gap among them starts another fill. */
  private void releaseHeld(TopicState state) {
    state.filling = false;
    List<Pending> waiting = new ArrayList<>(state.pending);
    state.pending.clear();
    waiting.sort(Comparator.comparingLong(Pending::seq));
    for (Pending next : waiting) {
      accept(state, next.seq(), next.frame());
    }
  }

  private void deliver(TopicState state, long seq, String frame) {
    state.lastSeq = seq;
    ByteBuf encoded = Frames.encode(frame);
    for (LocalSockets group : state.groups) {
      group.context().runOnContext(v -> group.deliver(state.name, seq, encoded));
    }
  }

  /** Online counts of event and session topics this node serves, pushed when they changed. */
  private void pushPresence() {
    for (TopicState state : List.copyOf(topics.values())) {
      Topic topic = Topic.parse(state.name);
      if (topic == null || topic.kind() != Topic.Kind.EVENT && topic.kind() != Topic.Kind.SESSION) {
        continue;
      }
      live.hashCounters(Presence.key(state.name)).onSuccess(counts -> onHub(() -> {
        long online = counts.values().stream().mapToLong(Long::longValue).sum();
        if (online != state.lastOnline && topics.get(state.name) == state) {
          state.lastOnline = online;
          ByteBuf encoded = Frames.encode(Frames.presence(state.name, online));
          for (LocalSockets group : state.groups) {
            group.context().runOnContext(v -> group.deliverEphemeral(state.name, encoded));
          }
        }
      }));
    }
  }

  private void onHub(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
