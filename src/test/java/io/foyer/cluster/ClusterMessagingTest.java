package io.foyer.cluster;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two clustered nodes on loopback (TCP-IP member list, no multicast) share one event bus. */
class ClusterMessagingTest {

  private FoyerApp first;
  private FoyerApp second;

  @AfterEach
  void stopNodes() throws Exception {
    for (FoyerApp node : new FoyerApp[] {first, second}) {
      if (node != null) {
        await(node.stop());
      }
    }
  }

  @Test
  void aMessagePublishedOnOneNodeReachesAConsumerOnTheOther() throws Exception {
    int firstPort = TestServices.freePort();
    int secondPort = TestServices.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    first = TestNodes.start(clustered(firstPort, members, "eu-west"));
    second = TestNodes.start(clustered(secondPort, members, "us-east"));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(first) == 2 && clusterSize(second) == 2);

    List<String> received = new CopyOnWriteArrayList<>();
    MessageConsumer<String> consumer = second.vertx().eventBus().consumer("foyer.test.greeting",
        message -> received.add(message.body()));
    await(consumer.completion());
    // a registration made on one node becomes visible to the other shortly after; publish until it is
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (received.isEmpty()) {
        first.vertx().eventBus().publish("foyer.test.greeting", "hello from " + first.nodeId());
      }
      return !received.isEmpty();
    });

    assertThat(received.get(0)).isEqualTo("hello from " + first.nodeId());
    await(first.vertx().eventBus().<String>consumer("foyer.test.echo", m -> m.reply("pong from first")).completion());
    List<String> replies = new CopyOnWriteArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
      second.vertx().eventBus().<String>request("foyer.test.echo", "ping").onSuccess(m -> replies.add(m.body()));
      return !replies.isEmpty();
    });
    String reply = replies.get(0);
    assertThat(reply).isEqualTo("pong from first");
  }

  private static int clusterSize(FoyerApp node) {
    return ((io.vertx.core.internal.VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static Map<String, String> clustered(int port, String members, String region) {
    return Map.of(
        "FOYER_CLUSTER_ENABLED", "true",
        "FOYER_CLUSTER_HOST", "127.0.0.1",
        "FOYER_CLUSTER_PORT", Integer.toString(port),
        "FOYER_CLUSTER_MEMBERS", members,
        "FOYER_REDIS_URL", TestServices.redisUrl(),
        "FOYER_NODE_REGION", region);
  }
}
