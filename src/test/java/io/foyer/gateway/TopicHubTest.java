package io.foyer.gateway;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.live.LiveState;
import io.foyer.live.MemoryLiveState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hub on its own, with a LiveState that fails when asked to (a Redis pool queue that is full). */
class TopicHubTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aJoinThatFailsLeavesNoConsumerOfTheTopicBehind() throws Exception {
    AtomicBoolean busy = new AtomicBoolean(true);
    LiveState live = failingLastSequence(new MemoryLiveState(vertx), busy);
    TopicHub hub = new TopicHub(vertx, vertx.getOrCreateContext(), live, Duration.ofMinutes(10));
    LocalSockets group = new LocalSockets(vertx, vertx.getOrCreateContext(), hub, 60_000);
    String topic = "event:1";

    Throwable refused = failureOf(hub.join(topic, group));

    assertThat(refused).hasMessageContaining("busy");
    assertThat(await(hub.consumedTopics())).isZero();
    // nobody consumes the address any more: a request to it finds no handler at once
    Throwable noOne = failureOf(vertx.eventBus().request(Topic.ADDRESS_PREFIX + topic, "{}",
        new DeliveryOptions().addHeader(Gateway.SEQ_HEADER, "1").setSendTimeout(2000)));
    assertThat(noOne).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) noOne).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);

    busy.set(false);
    await(hub.join(topic, group));
    assertThat(await(hub.consumedTopics())).isEqualTo(1);
  }

  private static Throwable failureOf(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  private static LiveState failingLastSequence(LiveState real, AtomicBoolean busy) {
    return (LiveState) Proxy.newProxyInstance(LiveState.class.getClassLoader(), new Class<?>[] {LiveState.class},
        (proxy, method, args) -> {
          if (method.getName().equals("lastSequence") && busy.get()) {
            return Future.failedFuture("Redis is busy: connection pool reached max wait queue size");
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
