package io.foyer.gateway;

import io.foyer.live.LiveState;
import io.foyer.live.LiveState.HistoryEntry;
import io.foyer.presence.Presence;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's single subscriber per topic. However many local sockets want a topic, the node receives it once
 * from the {@link PushTransport}, puts each message in sequence order (filling any gap from the topic history,
 * since two publishers' messages may cross on the way), encodes it once, and hands the same bytes to each event
 * loop that holds subscribers (a translated message: once per language, see {@link Pushed}). It also pushes
 * presence counts, at most once a second per topic.
 *
 * <p>A verticle of its own: all its state is touched on its context only, and undeploying it stops the node
 * consuming every topic.
 */
final class TopicHub extends VerticleBase {

  private static final long PRESENCE_INTERVAL_MILLIS = 1000;

  private record Pending(long seq, String body) {}

  private static final class TopicState {
    final String name;
    final Set<LocalSockets> groups = new HashSet<>();
    PushTransport.Receiver receiver;
    Future<Void> ready;
    long lastSeq = -1;
    boolean filling;
    final List<Pending> pending = new ArrayList<>();
    long lastOnline = -1;

    TopicState(String name) {
      this.name = name;
    }
  }

  private final LiveState live;
  private final PushTransport transport;
  private final Presence presence;
  private final Duration maxAge;
  private final Map<String, TopicState> topics = new HashMap<>();
  /** Topics this node receives, for metrics on any thread. */
  private final AtomicInteger consumed = new AtomicInteger();

  TopicHub(LiveState live, PushTransport transport, Presence presence, Duration maxAge) {
    this.live = live;
    this.transport = transport;
    this.presence = presence;
    this.maxAge = maxAge;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(PRESENCE_INTERVAL_MILLIS, id -> pushPresence());
    return transport.open();
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> unregistered = List.copyOf(topics.values()).stream().map(this::forget).toList();
    return Future.join(unregistered).eventually(transport::close);
  }

  /** Topics this node receives now. */
  int consumedTopics() {
    return consumed.get();
  }

  /** Adds a group of local sockets to a topic; completes, on the group's context, once the node consumes it. */
  Future<Void> join(String topic, LocalSockets group) {
    Promise<Void> joined = Promise.promise();
    context.runOnContext(v -> {
      TopicState state = topics.computeIfAbsent(topic, TopicState::new);
      state.groups.add(group);
      if (state.receiver == null) {
        // messages wait until the topic's current sequence is known, so the very first one is gap-checked too
        state.filling = true;
        state.receiver = transport.receive(topic, new PushTransport.Delivery() {
          @Override
          public void message(long seq, String body) {
            onMessage(state, seq, body);
          }

          @Override
          public void mayHaveMissed() {
            onHub(() -> catchUp(state));
          }
        });
        consumed.incrementAndGet();
        state.ready = state.receiver.ready()
            .compose(registered -> live.lastSequence(topic))
            .map(last -> {
              onHub(() -> {
                state.lastSeq = last;
                releaseHeld(state);
              });
              return (Void) null;
            });
        // a topic that could not be joined is let go of entirely (its consumer, and what it held back), so
        // nothing piles up behind it; the next subscriber tries again from scratch
        state.ready.onFailure(err -> onHub(() -> forget(state)));
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
        forget(state);
      }
    });
  }

  private Future<Void> forget(TopicState state) {
    topics.remove(state.name, state);
    state.pending.clear();
    if (state.receiver == null) {
      return Future.succeededFuture();
    }
    PushTransport.Receiver receiver = state.receiver;
    state.receiver = null;
    consumed.decrementAndGet();
    return receiver.cancel();
  }

  private void onMessage(TopicState state, long seq, String body) {
    if (state.receiver == null) {
      return; // in flight when the topic was let go of
    }
    accept(state, seq, body);
  }

  private void accept(TopicState state, long seq, String body) {
    if (state.filling) {
      state.pending.add(new Pending(seq, body));
      return;
    }
    if (state.lastSeq >= 0 && seq <= state.lastSeq) {
      return;
    }
    if (state.lastSeq >= 0 && seq > state.lastSeq + 1) {
      fillGap(state, new Pending(seq, body));
      return;
    }
    deliver(state, seq, body);
  }

  /** A message overtook an earlier one: deliver the missing ones from history first, then what waited. */
  private void fillGap(TopicState state, Pending arrived) {
    state.pending.add(arrived);
    catchUp(state);
  }

  /**
   * Delivers from history whatever came after the last message delivered, then what waited meanwhile; also when
   * the transport says messages may have been missed without a later one showing it.
   */
  private void catchUp(TopicState state) {
    if (state.filling || state.receiver == null || topics.get(state.name) != state) {
      return; // a fill under way, or a join still learning the sequence, delivers what history has anyway
    }
    state.filling = true;
    live.readSince(state.name, state.lastSeq, maxAge).onComplete(ar -> onHub(() -> {
      if (ar.succeeded()) {
        for (HistoryEntry entry : ar.result().entries()) {
          if (entry.sequence() > state.lastSeq) {
            deliver(state, entry.sequence(), entry.payload());
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
      accept(state, next.seq(), next.body());
    }
  }

  private void deliver(TopicState state, long seq, String body) {
    state.lastSeq = seq;
    Pushed encoded = Pushed.of(state.name, seq, body);
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
      presence.online(state.name).onSuccess(online -> onHub(() -> {
        if (online != state.lastOnline && topics.get(state.name) == state) {
          state.lastOnline = online;
          SharedFrame encoded = Frames.encode(Frames.presence(state.name, online));
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
