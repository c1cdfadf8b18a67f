package io.foyer.ops;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.SCOPED_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.FoyerApp;
import io.foyer.bench.ServerProcess;
import io.foyer.testing.Api;
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /api/ops/cluster on two nodes sharing Redis: each node's status record, read through either node, with its
 * region and counters; a node that stops, or is killed, leaves the view within the record's TTL.
 */
class OpsClusterApiTest {

  private static final String A = TestServices.unique("ops-a");
  private static final String B = TestServices.unique("ops-b");
  /** The record's TTL, plus one publication period for a write that was on its way. */
  private static final Duration GONE_WITHIN = NodeStatus.TTL.plus(NodeStatus.PERIOD);

  static FoyerApp a;
  static FoyerApp b;
  static Api apiA;
  static Api apiB;

  @BeforeAll
  static void start() throws Exception {
    a = TestNodes.start(node(A, "eu-west"));
    b = TestNodes.start(node(B, "us-east"));
    apiA = new Api(a.httpPort());
    apiB = new Api(b.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    for (Api api : new Api[] {apiA, apiB}) {
      if (api != null) api.close();
    }
    for (FoyerApp app : new FoyerApp[] {a, b}) {
      if (app != null) TestNodes.await(app.stop());
    }
  }

  private static Map<String, String> node(String id, String region) {
    Map<String, String> settings = new HashMap<>();
    settings.put("FOYER_REDIS_URL", TestServices.redisUrl());
    settings.put("FOYER_NODE_ID", id);
    settings.put("FOYER_NODE_REGION", region);
    return settings;
  }

  @Test
  void bothNodesAppearThroughEitherWithTheirRegionsAndTheOneAskedIsSelf() throws Exception {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonObject fromA = cluster(apiA);
      assertThat(record(fromA, A)).isNotNull();
      assertThat(record(fromA, B)).isNotNull();
    });
    JsonObject fromA = cluster(apiA);
    JsonObject fromB = cluster(apiB);
    assertThat(record(fromA, A).getString("region")).isEqualTo("eu-west");
    assertThat(record(fromA, B).getString("region")).isEqualTo("us-east");
    assertThat(record(fromA, A).getBoolean("self")).isTrue();
    assertThat(record(fromA, B).getBoolean("self")).isFalse();
    assertThat(record(fromB, B).getBoolean("self")).isTrue();
    assertThat(record(fromB, A).getBoolean("self")).isFalse();

    JsonObject own = record(fromA, A);
    assertThat(own.getString("version")).isNotBlank();
    assertThat(own.getString("startedAt")).isNotBlank();
    assertThat(own.getLong("uptimeSeconds")).isNotNegative();
    assertThat(own.getInteger("connections")).isNotNegative();
    assertThat(own.getDouble("eventLoopLagMillis")).isNotNegative().isLessThan(5_000.0);
    assertThat(own.getLong("registrationQueue")).isNotNegative();
    assertThat(own.getJsonArray("drivesLobbies")).isNotNull();
    assertThat(own.getJsonObject("counters").fieldNames())
        .containsExactlyInAnyOrder("registrations", "votes", "quizAnswers", "lobbyJoins");
    assertThat(fromA.getJsonArray("lobbies")).isNotNull();
    assertThat(fromA.getString("at")).isNotBlank();
  }

  /** An event loop held up on purpose shows as lag in the node's next record; the other loops do not hide it. */
  @Test
  void aBlockedEventLoopShowsAsLag() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> record(cluster(apiB), A) != null);
    a.vertx().runOnContext(v -> {
      long until = System.nanoTime() + Duration.ofMillis(400).toNanos();
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> record(cluster(apiB), A).getDouble("eventLoopLagMillis")
        >= 250.0);
  }

  @Test
  void onlyAnOrganizerKeyForEveryEventMayReadIt() throws Exception {
    assertProblem(apiA.get("/api/ops/cluster", null), 401, "unauthorized");
    assertProblem(apiA.get("/api/ops/cluster", "not-a-key"), 401, "unauthorized");
    assertProblem(apiA.get("/api/ops/cluster", SCOPED_KEY), 403, "forbidden");
    assertThat(apiA.get("/api/ops/cluster", ADMIN_KEY).statusCode()).isEqualTo(200);
  }

  /** A registration on A moves A's counter, as B sees it; a lobby join on B moves B's, and its line is listed. */
  @Test
  void countersMoveAfterARegistrationAndALobbyJoin() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> record(cluster(apiB), A) != null);
    long registrations = counter(cluster(apiB), A, "registrations");
    long eventId = apiA.createEvent(new JsonObject());
    HttpResponse<Buffer> registered = apiA.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee(TestServices.unique("ops") + "@example.org"));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(5)).until(() -> counter(cluster(apiB), A, "registrations")
        == registrations + 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> record(cluster(apiA), B) != null);
    long joins = counter(cluster(apiA), B, "lobbyJoins");
    LobbyCalls lobbyB = new LobbyCalls(apiB);
    long lobbyEvent = lobbyB.eventWithLobby(new JsonObject().put("mode", "always"));
    await().atMost(Duration.ofSeconds(10)).until(() -> lobbyB.line(lobbyEvent).getBoolean("open"));
    // paused, so that the one who joins is still waiting when the line is read
    lobbyB.control(lobbyEvent, "pause");
    lobbyB.joinToWait(lobbyEvent);
    await().atMost(Duration.ofSeconds(5)).until(() -> counter(cluster(apiA), B, "lobbyJoins") == joins + 1);

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonObject cluster = cluster(apiA);
      JsonObject line = cluster.getJsonArray("lobbies").stream().map(JsonObject.class::cast)
          .filter(l -> l.getLong("eventId") == lobbyEvent).findFirst().orElseThrow();
      assertThat(line.getBoolean("open")).isTrue();
      assertThat(line.getBoolean("paused")).isTrue();
      assertThat(line.getLong("waiting")).isEqualTo(1L);
      // the node holding the lease says it drives the line
      assertThat(record(cluster, line.getString("driver")).getJsonArray("drivesLobbies").stream()
          .map(id -> ((Number) id).longValue())).contains(lobbyEvent);
    });
  }

  @Test
  void aStoppedNodeLeavesTheViewWithinTheTtl() throws Exception {
    String id = TestServices.unique("ops-c");
    FoyerApp c = TestNodes.start(node(id, "ap-south"));
    await().atMost(Duration.ofSeconds(10)).until(() -> record(cluster(apiA), id) != null);
    TestNodes.await(c.stop());
    await().atMost(GONE_WITHIN).until(() -> record(cluster(apiA), id) == null);
  }

  /** A killed node removes nothing: its record expires, long before presence takes the node as dead. */
  @Test
  void aKilledNodeLeavesTheViewWithinTheTtl() throws Exception {
    String id = TestServices.unique("ops-k");
    ServerProcess killed = TestNodes.startProcess(node(id, "sa-east"));
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> record(cluster(apiA), id) != null);
      killed.kill();
      long killedAt = System.nanoTime();
      await().atMost(GONE_WITHIN).until(() -> record(cluster(apiA), id) == null);
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThanOrEqualTo(GONE_WITHIN);
    } finally {
      killed.close();
    }
  }

  private static JsonObject cluster(Api api) throws Exception {
    HttpResponse<Buffer> response = api.get("/api/ops/cluster", ADMIN_KEY);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject record(JsonObject cluster, String nodeId) {
    JsonArray nodes = cluster.getJsonArray("nodes");
    return nodes.stream().map(JsonObject.class::cast).filter(n -> nodeId.equals(n.getString("node"))).findFirst()
        .orElse(null);
  }

  private static long counter(JsonObject cluster, String nodeId, String name) {
    return record(cluster, nodeId).getJsonObject("counters").getLong(name);
  }
}
