package io.foyer.lobby;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TcpProxy;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing Redis serve one line: places are numbered across both in arrival order, either node admits
 * exactly the places the one serving counter has reached, and when the node driving the lines stops, the other
 * takes its lease and the line keeps moving.
 */
class LobbyClusterTest {

  private static final Node[] nodes = new Node[2];

  /** A node with its client, reaching Redis through a relay of its own that a test can cut. */
  private record Node(FoyerApp app, Api api, LobbyCalls lobby, TcpProxy redis) {
    static Node start() throws Exception {
      TcpProxy redis = TcpProxy.to(TestServices.redisUrl());
      FoyerApp app = TestNodes.start(Map.of("FOYER_REDIS_URL", redis.through(TestServices.redisUrl()),
          "FOYER_LOBBY_TICK_MILLIS", "100", "FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE", "0"));
      Api api = new Api(app.httpPort());
      return new Node(app, api, new LobbyCalls(api), redis);
    }

    void stop() throws Exception {
      api.close();
      await(app.stop());
      redis.close();
    }
  }

  @BeforeAll
  static void startNodes() throws Exception {
    nodes[0] = Node.start();
    nodes[1] = Node.start();
  }

  @AfterAll
  static void stopNodes() throws Exception {
    for (Node node : nodes) {
      node.stop();
    }
  }

  /**
   * 60 joins at once, half through each node, get the places 1..60, each once, and later ones, through either node,
   * the places after. Then the line advances a few places at a time (resumed, paused): whenever it stands, a ticket is exchanged on either node, for the same admission,
   * exactly when its place is at most the serving counter.
   */
  @Test
  void joinsThroughBothNodesAreNumberedOnceAndAdmittedInThatOrderByEither() throws Exception {
    long eventId = nodes[0].lobby().eventWithLobby(new JsonObject().put("mode", "always").put("admissionRate", 10));
    for (Node node : nodes) {
      await().atMost(Duration.ofSeconds(5)).until(() -> node.lobby().line(eventId).getBoolean("open"));
    }
    nodes[1].lobby().control(eventId, "pause");

    List<Future<HttpResponse<Buffer>>> joins = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      joins.add(nodes[i % 2].lobby().joinAsync(eventId));
    }
    List<String> tickets = new ArrayList<>();
    List<Long> places = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> join : joins) {
      HttpResponse<Buffer> joined = await(join);
      assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(202);
      tickets.add(joined.bodyAsJsonObject().getString("ticket"));
      places.add(joined.bodyAsJsonObject().getLong("place"));
    }
    assertThat(places).as("one place each, none skipped")
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 60).boxed().toList());
    for (int i = 61; i <= 64; i++) {
      JsonObject later = nodes[i % 2].lobby().joinToWait(eventId);
      assertThat(later.getLong("place")).as("behind everyone who came before, whichever node they came through")
          .isEqualTo(i);
      tickets.add(later.getString("ticket"));
      places.add(later.getLong("place"));
    }
    assertThat(nodes[0].lobby().state(eventId).getLong("issued")).isEqualTo(64);

    long before = 0;
    for (int round = 0; round < 2; round++) {
      nodes[round % 2].lobby().control(eventId, "resume");
      long moved = before + 5;
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> nodes[0].lobby().state(eventId).getLong("serving") >= moved);
      nodes[(round + 1) % 2].lobby().control(eventId, "pause");
      long serving = standingServing(eventId);
      assertThat(serving).as("the line moved, and not to its end").isGreaterThan(before).isLessThan(64);
      for (int i = 0; i < tickets.size(); i++) {
        String ticket = tickets.get(i);
        if (places.get(i) <= serving) {
          String admission = admitted(nodes[0].lobby().exchange(eventId, ticket));
          assertThat(admitted(nodes[1].lobby().exchange(eventId, ticket)))
              .as("the same admission from either node").isEqualTo(admission);
        } else {
          assertProblem(nodes[0].lobby().exchange(eventId, ticket), 409, "not-your-turn");
          assertProblem(nodes[1].lobby().exchange(eventId, ticket), 409, "not-your-turn");
        }
      }
      before = serving;
    }
  }

  /**
   * The node holding the lease stops, letting its lease go: the other node drives the lines within about a second
   * (its next ask), and the serving counter goes on advancing at the rate, so that waiting tickets come to be
   * admitted.
   */
  @Test
  void whenTheDrivingNodeStopsTheOtherTakesTheLeaseAndTheLineKeepsMoving() throws Exception {
    takeOver(true, Duration.ofSeconds(3));
  }

  /**
   * The node holding the lease is cut off from Redis, as if it died, and never lets its lease go: the other node
   * takes it once its 5 s are out (and a second to ask), and the line keeps moving.
   */
  @Test
  void whenTheDrivingNodeDiesTheOtherTakesTheLeaseOnceItRunsOut() throws Exception {
    takeOver(false, Duration.ofSeconds(7));
  }

  /** The driving node stops (gracefully) or is cut off; the other must drive the lines within the time given. */
  private static void takeOver(boolean stops, Duration within) throws Exception {
    long eventId = nodes[0].lobby().eventWithLobby(new JsonObject().put("mode", "always").put("admissionRate", 5));
    await().atMost(Duration.ofSeconds(5)).until(() -> nodes[1].lobby().line(eventId).getBoolean("open"));
    List<String> tickets = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      JsonObject joined = nodes[i % 2].lobby().joinToWait(eventId);
      assertThat(joined.getLong("place")).as("one after the other, through either node").isEqualTo(i);
      tickets.add(joined.getString("ticket"));
    }
    String driver = nodes[0].lobby().state(eventId).getString("driver");
    int driving = nodes[0].app().nodeId().equals(driver) ? 0 : 1;
    Node survivor = nodes[1 - driving];
    assertThat(nodes[driving].app().nodeId()).as("one of the two nodes drives the lines").isEqualTo(driver);
    long moving = survivor.lobby().state(eventId).getLong("serving");
    await().atMost(Duration.ofSeconds(3)).until(() -> survivor.lobby().state(eventId).getLong("serving") > moving);

    Node ended = nodes[driving];
    nodes[driving] = null;
    try {
      if (stops) {
        ended.stop();
      } else {
        ended.redis().cut();
      }
      long endedAt = System.nanoTime();
      await().atMost(within.plusSeconds(1)).pollInterval(Duration.ofMillis(100))
          .until(() -> survivor.app().nodeId().equals(survivor.lobby().state(eventId).getString("driver")));
      assertThat(Duration.ofNanos(System.nanoTime() - endedAt)).as("taken over within seconds").isLessThan(within);
      long taken = survivor.lobby().state(eventId).getLong("serving");
      assertThat(taken).isLessThan(40);
      await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
          .until(() -> survivor.lobby().state(eventId).getLong("serving") >= taken + 5);
      long serving = survivor.lobby().state(eventId).getLong("serving");
      admitted(survivor.lobby().exchange(eventId, tickets.get((int) serving - 1)));
      assertProblem(survivor.lobby().exchange(eventId, tickets.get(59)), 409, "not-your-turn");
    } finally {
      if (!stops) {
        ended.stop();
      }
      nodes[driving] = Node.start();
    }
  }

  /** The serving counter once the paused line has stopped moving (a tick under way may still move it). */
  private static long standingServing(long eventId) throws Exception {
    long[] last = {-1};
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(300)).until(() -> {
      long now = nodes[0].lobby().state(eventId).getLong("serving");
      boolean standing = now == last[0];
      last[0] = now;
      return standing;
    });
    return last[0];
  }

  private static String admitted(HttpResponse<Buffer> exchanged) {
    assertThat(exchanged.statusCode()).as(exchanged.bodyAsString()).isEqualTo(200);
    return exchanged.bodyAsJsonObject().getString("admission");
  }
}
