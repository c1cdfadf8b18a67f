package io.foyer.cluster;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two clustered nodes on loopback (TCP-IP member list, no multicast) act as one deployment. */
class ClusterMessagingTest {

  private static FoyerApp first;
  private static FoyerApp second;

  @BeforeAll
  static void startCluster() throws Exception {
    int firstPort = TestServices.freePort();
    int secondPort = TestServices.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    first = TestNodes.start(clustered(firstPort, members, "eu-west"));
    second = TestNodes.start(clustered(secondPort, members, "us-east"));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(first) == 2 && clusterSize(second) == 2);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (FoyerApp node : new FoyerApp[] {first, second}) {
      if (node != null) {
        await(node.stop());
      }
    }
  }

  @Test
  void aMessagePublishedOnOneNodeReachesAConsumerOnTheOther() throws Exception {
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
    assertThat(replies.get(0)).isEqualTo("pong from first");
  }

  @Test
  void anAnnouncementPostedToOneNodeReachesSocketsOnTheOtherExactlyOnce() throws Exception {
    try (Api firstApi = new Api(first.httpPort()); Api secondApi = new Api(second.httpPort())) {
      long eventId = firstApi.createEvent(new JsonObject());
      String token = secondApi.post("/api/events/" + eventId + "/registrations", null,
          Api.attendee("cluster@example.org")).bodyAsJsonObject().getString("token");
      try (WsClient ws = WsClient.connect(second.httpPort(), token)) {
        ws.next("welcome");
        ws.subscribe("event:" + eventId, null);

        // the second node's subscription takes a moment to be known on the first: announce until it arrives
        JsonObject[] message = new JsonObject[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
          firstApi.post("/api/events/" + eventId + "/announcements", ADMIN_KEY, new JsonObject().put("body", "hi"));
          message[0] = ws.drain().stream().filter(f -> "message".equals(f.getString("type"))).findFirst().orElse(null);
          return message[0] != null;
        });
        long firstSeq = message[0].getLong("seq");
        long sent = firstApi.post("/api/events/" + eventId + "/announcements", ADMIN_KEY,
            new JsonObject().put("body", "exactly once")).bodyAsJsonObject().getLong("seq");

        JsonObject delivered = ws.next(f -> "message".equals(f.getString("type"))
            && "exactly once".equals(f.getJsonObject("data").getString("body")));
        assertThat(delivered.getLong("seq")).isEqualTo(sent);
        // a sentinel published after it: a duplicate, which would be sent before it, arrives before it
        long sentinel = firstApi.post("/api/events/" + eventId + "/announcements", ADMIN_KEY,
            new JsonObject().put("body", "sentinel")).bodyAsJsonObject().getLong("seq");
        ws.next(f -> "message".equals(f.getString("type")) && f.getLong("seq") == sentinel);
        assertThat(ws.drain().stream().filter(f -> "message".equals(f.getString("type")))
            .filter(f -> f.getLong("seq") > firstSeq)).noneMatch(f -> f.getLong("seq") == sent);
      }
    }
  }

  private static int clusterSize(FoyerApp node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static Map<String, String> clustered(int port, String members, String region) {
    return Map.of(
        "FOYER_CLUSTER_ENABLED", "true",
        "FOYER_CLUSTER_SECRET", "test-cluster-secret-0123456789",
        "FOYER_CLUSTER_HOST", "127.0.0.1",
        "FOYER_CLUSTER_PORT", Integer.toString(port),
        "FOYER_CLUSTER_MEMBERS", members,
        "FOYER_REDIS_URL", TestServices.redisUrl(),
        "FOYER_NODE_REGION", region);
  }
}
