package io.foyer.store;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two clustered nodes in two regions, each region with a PostgreSQL database of its own (two scratch databases on
 * the test server). An EU event's rows land in the EU database only, whichever node its organizer and attendees
 * use, while pushes and live results reach its attendees on both nodes.
 */
// the EU event's test runs first: it then finds the US database empty of everything but the US node's start
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataResidencyTest {

  private static final String EU = "eu-west";
  private static final String US = "us-east";

  private static String euUrl;
  private static String usUrl;
  private static FoyerApp euNode;
  private static FoyerApp usNode;
  private static Vertx vertx;
  private static Pool euDb;
  private static Pool usDb;

  @BeforeAll
  static void startTwoRegions() throws Exception {
    // databases of their own: the checks below read whole tables
    euUrl = TestServices.freshPgUrl();
    usUrl = TestServices.freshPgUrl();
    int euPort = TestServices.freePort();
    int usPort = TestServices.freePort();
    String members = "127.0.0.1:" + euPort + ",127.0.0.1:" + usPort;
    // the EU node's own database is pg.url; the US node's is its listed region (pg.url then names another)
    Map<String, String> eu = clustered(euPort, members, EU);
    eu.put("FOYER_PG_URL", euUrl);
    eu.put("FOYER_REGIONS_US_EAST_PG_URL", usUrl);
    Map<String, String> us = clustered(usPort, members, US);
    us.put("FOYER_REGIONS_EU_WEST_PG_URL", euUrl);
    us.put("FOYER_REGIONS_US_EAST_PG_URL", usUrl);
    euNode = TestNodes.start(eu);
    usNode = TestNodes.start(us);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(euNode) == 2 && clusterSize(usNode) == 2);
    vertx = Vertx.vertx();
    euDb = pool(euUrl);
    usDb = pool(usUrl);
  }

  @AfterAll
  static void stop() throws Exception {
    for (FoyerApp node : new FoyerApp[] {usNode, euNode}) {
      if (node != null) {
        await(node.stop());
      }
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  @Order(1)
  void anEuEventServedThroughTheUsNodeKeepsEveryRowInTheEuDatabaseAndReachesAttendeesOnBothNodes()
      throws Exception {
    try (Api us = new Api(usNode.httpPort()); Api eu = new Api(euNode.httpPort())) {
      HttpResponse<Buffer> created = us.post("/api/events", ADMIN_KEY,
          Api.event(new JsonObject().put("homeRegion", EU).put("capacity", 10)));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      assertThat(created.bodyAsJsonObject().getString("homeRegion")).isEqualTo(EU);
      long eventId = created.bodyAsJsonObject().getLong("id");
      assertThat(eu.get("/api/events/" + eventId, null).bodyAsJsonObject().getString("homeRegion"))
          .as("the other node finds the event in its home region's database").isEqualTo(EU);
      assertThat(us.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject().put("homeRegion", US))
          .statusCode()).as("the home never changes").isEqualTo(400);
      long sessionId = us.createSession(eventId);

      // everything under the event, made through the US node
      us.issuePresenterToken(eventId, null);
      assertThat(us.post("/api/events/" + eventId + "/invites", ADMIN_KEY, new JsonObject().put("count", 1)
          .put("uses", 1)).statusCode()).isEqualTo(201);
      assertThat(us.send(io.vertx.core.http.HttpMethod.PUT, "/api/events/" + eventId + "/lobby/settings", ADMIN_KEY,
          new JsonObject()).statusCode()).isEqualTo(200);
      JsonObject viaUs = register(us, eventId, "ada@example.org");
      JsonObject viaEu = register(eu, eventId, "bob@example.org");

      // Ada on the US node, Bob on the EU node, both in the event's session (attendance)
      try (WsClient ada = WsClient.connect(usNode.httpPort(), viaUs.getString("token"));
           WsClient bob = WsClient.connect(euNode.httpPort(), viaEu.getString("token"))) {
        for (WsClient ws : List.of(ada, bob)) {
          ws.next("welcome");
          assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
          assertThat(ws.subscribe("session:" + sessionId, null).getString("type")).isEqualTo("subscribed");
        }
        assertThat(bob.subscribe("attendee:" + viaEu.getString("id"), null).getString("type"))
            .isEqualTo("subscribed");

        // a poll of the session with visible results, voted through the US node: Bob, on the EU node, sees them
        long pollId = livePoll(us, eventId, sessionId);
        HttpResponse<Buffer> voted = us.client().post("/api/events/" + eventId + "/polls/" + pollId + "/ballots")
            .bearerTokenAuthentication(viaUs.getString("token"))
            .sendJsonObject(new JsonObject().put("voteId", UUID.randomUUID().toString())
                .put("answer", new JsonObject().put("option", "a")))
            .toCompletionStage().toCompletableFuture().get();
        assertThat(voted.statusCode()).as(voted.bodyAsString()).isEqualTo(201);
        JsonObject results = bob.next(frame -> "poll-results".equals(frame.getString("kind"))
            && frame.getJsonObject("data").getLong("ballots", 0L) > 0);
        assertThat(results.getString("topic")).isEqualTo("session:" + sessionId);

        // a quiz answered by Bob on the EU node
        long quizId = quizWithOpenQuestion(us, eventId);
        String answerId = bob.send(new JsonObject().put("type", "answer").put("quizId", quizId).put("position", 1)
            .put("answerId", UUID.randomUUID().toString()).put("answer", new JsonObject().put("option", "a")));
        assertThat(bob.next(frame -> answerId.equals(frame.getString("re"))).getString("type")).isEqualTo("answered");

        // an announcement and a direct message sent through the US node reach Bob on the EU node
        assertThat(us.post("/api/events/" + eventId + "/announcements", ADMIN_KEY,
            new JsonObject().put("body", "Doors open")).statusCode()).isEqualTo(201);
        assertThat(bob.next(frame -> "message".equals(frame.getString("type"))
            && "Doors open".equals(frame.getJsonObject("data").getString("body"))).getString("topic"))
            .isEqualTo("event:" + eventId);
        assertThat(us.post("/api/events/" + eventId + "/registrations/" + viaEu.getString("id") + "/messages",
            ADMIN_KEY, new JsonObject().put("body", "Your badge is ready")).statusCode()).isEqualTo(201);
        assertThat(bob.next(frame -> "message".equals(frame.getString("type"))
            && "Your badge is ready".equals(frame.getJsonObject("data").getString("body"))).getString("topic"))
            .isEqualTo("attendee:" + viaEu.getString("id"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> count(euDb, "SELECT count(*) FROM attendance WHERE session_id = $1", sessionId) == 2);
      }
      // both sockets are gone: their stays end, in the EU database too
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(euDb,
          "SELECT count(*) FROM attendance WHERE session_id = $1 AND left_at IS NOT NULL", sessionId) == 2);
      assertThat(us.get("/api/events/" + eventId + "/sessions/" + sessionId + "/attendance", ADMIN_KEY)
          .bodyAsJsonObject().getLong("uniqueAttendees")).isEqualTo(2);
      assertThat(us.get("/api/events/" + eventId + "/registrations/" + viaEu.getString("id") + "/export",
          ADMIN_KEY).statusCode()).isEqualTo(200);

      assertThat(count(euDb, "SELECT count(*) FROM events WHERE id = $1 AND home_region = $2", eventId, EU))
          .as("the row says which region it belongs to").isEqualTo(1);
      assertThat(us.get("/api/audit", ADMIN_KEY).bodyAsJsonObject().getJsonArray("entries").stream()
          .map(entry -> ((JsonObject) entry).getLong("eventId")))
          .as("the whole audit trail gathers every region's").contains(eventId);
      Map<String, Long> inEu = rowsOfEvent(euDb, eventId);
      for (String table : List.of("events", "event_seats", "sessions", "registrations", "presenter_tokens",
          "invite_codes", "lobby_settings", "polls", "ballots", "quizzes", "quiz_questions", "quiz_answers",
          "announcements", "attendance", "audit_log")) {
        assertThat(inEu.getOrDefault(table, 0L)).as("rows of the EU event in the EU database's " + table)
            .isPositive();
      }
      assertThat(rowsOfEvent(usDb, eventId)).as("rows of the EU event in the US database, by table")
          .allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
      // nothing else was made in the US: its database holds the US node's own start and nothing more
      assertThat(rowsOfEveryTable(usDb)).allSatisfy((table, rows) -> assertThat(rows).as(table)
          .isEqualTo(table.equals("node_starts") ? 1L : 0L));
    }
  }

  @Test
  void anEventGetsTheCreatingNodesRegionUnlessItNamesAnother() throws Exception {
    try (Api us = new Api(usNode.httpPort())) {
      HttpResponse<Buffer> created = us.post("/api/events", ADMIN_KEY, Api.event(new JsonObject()));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      long eventId = created.bodyAsJsonObject().getLong("id");

      assertThat(created.bodyAsJsonObject().getString("homeRegion")).isEqualTo(US);
      assertThat(eventId).as("ids allocated across regions stay exact in JavaScript").isLessThan(1L << 53);
      assertThat(count(usDb, "SELECT count(*) FROM events WHERE id = $1", eventId)).isEqualTo(1);
      assertThat(count(euDb, "SELECT count(*) FROM events WHERE id = $1", eventId)).isZero();
      JsonArray listed = us.get("/api/events", ADMIN_KEY).bodyAsJsonObject().getJsonArray("events");
      assertThat(listed.stream().map(e -> ((JsonObject) e).getString("homeRegion")).distinct())
          .as("the listing gathers every region's events").contains(US);
    }
  }

  @Test
  void anUnknownHomeRegionIsRefusedAndCreatesNothing() throws Exception {
    try (Api eu = new Api(euNode.httpPort())) {
      long before = count(euDb, "SELECT count(*) FROM events") + count(usDb, "SELECT count(*) FROM events");

      HttpResponse<Buffer> refused = eu.post("/api/events", ADMIN_KEY,
          Api.event(new JsonObject().put("homeRegion", "ap-south")));
      HttpResponse<Buffer> notAName = eu.post("/api/events", ADMIN_KEY,
          Api.event(new JsonObject().put("homeRegion", 42)));

      Api.assertProblem(refused, 400, "bad-request");
      assertThat(refused.bodyAsJsonObject().getString("detail")).contains("ap-south").contains(EU).contains(US);
      Api.assertProblem(notAName, 400, "bad-request");
      assertThat(count(euDb, "SELECT count(*) FROM events") + count(usDb, "SELECT count(*) FROM events"))
          .isEqualTo(before);
    }
  }

  @Test
  void aRegionWhoseDatabaseCannotBeReachedStopsTheStartNamingItsKey() {
    assertThatThrownBy(() -> TestNodes.start(Map.of("FOYER_NODE_REGION", EU,
        "FOYER_REGIONS_AP_SOUTH_PG_URL", "postgresql://postgres@127.0.0.1:1/nowhere")))
        .hasMessageContaining("region ap-south (regions.ap-south.pgUrl)");
  }

  @Test
  void everyRegionsDatabaseIsCheckedForReadiness() throws Exception {
    try (Api us = new Api(usNode.httpPort())) {
      JsonObject health = us.get("/health/ready", null).bodyAsJsonObject();
      assertThat(health.encode()).contains("\"postgres\"").contains("postgres-" + EU);
    }
  }

  private static JsonObject register(Api api, long eventId, String email) throws Exception {
    HttpResponse<Buffer> registered = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee(email));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    return registered.bodyAsJsonObject();
  }

  private static long livePoll(Api api, long eventId, long sessionId) throws Exception {
    JsonObject poll = new JsonObject().put("kind", "single_choice").put("question", "Which fruit?")
        .put("options", new JsonArray().add(new JsonObject().put("id", "a").put("text", "Apples"))
            .add(new JsonObject().put("id", "b").put("text", "Pears")))
        .put("sessionId", sessionId).put("resultsVisible", true);
    HttpResponse<Buffer> created = api.post("/api/events/" + eventId + "/polls", ADMIN_KEY, poll);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long pollId = created.bodyAsJsonObject().getLong("id");
    assertThat(api.post("/api/events/" + eventId + "/polls/" + pollId + "/launch", ADMIN_KEY, null).statusCode())
        .isEqualTo(200);
    return pollId;
  }

  private static long quizWithOpenQuestion(Api api, long eventId) throws Exception {
    JsonObject question = new JsonObject().put("kind", "single_choice").put("question", "Which fruit is a pome?")
        .put("options", new JsonArray().add(new JsonObject().put("id", "a").put("text", "Apples"))
            .add(new JsonObject().put("id", "b").put("text", "Plums")))
        .put("correct", new JsonArray().add("a")).put("timeLimitSeconds", 30).put("points", 1000);
    HttpResponse<Buffer> created = api.post("/api/events/" + eventId + "/quizzes", ADMIN_KEY, new JsonObject()
        .put("title", "Fruit quiz").put("scoring", "standard").put("streakBonus", false)
        .put("questions", new JsonArray().add(question)));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long quizId = created.bodyAsJsonObject().getLong("id");
    for (String action : List.of("start", "next")) {
      HttpResponse<Buffer> acted = api.post("/api/events/" + eventId + "/quizzes/" + quizId + "/" + action,
          ADMIN_KEY, null);
      assertThat(acted.statusCode()).as(acted.bodyAsString()).isEqualTo(200);
    }
    return quizId;
  }

  /**
   * Rows of the event in each table of the database, found by every column that ties a row to it: event_id, or
   * the id of its registrations, sessions, polls or quizzes (looked up in the EU database, where they are).
   */
  private static Map<String, Long> rowsOfEvent(Pool db, long eventId) throws Exception {
    Map<String, String> owners = Map.of(
        "event_id", "SELECT $1::BIGINT",
        "registration_id", "SELECT id FROM registrations WHERE event_id = $1",
        "session_id", "SELECT id FROM sessions WHERE event_id = $1",
        "poll_id", "SELECT id FROM polls WHERE event_id = $1",
        "quiz_id", "SELECT id FROM quizzes WHERE event_id = $1");
    Map<String, Long> rows = new HashMap<>();
    for (Row column : await(db.query("SELECT table_name, column_name FROM information_schema.columns "
        + "WHERE table_schema = 'public' AND column_name IN ('event_id', 'registration_id', 'session_id', "
        + "'poll_id', 'quiz_id') UNION SELECT 'events', 'id'").execute())) {
      String table = column.getString("table_name");
      String name = column.getString("column_name");
      List<Object> ids = new ArrayList<>();
      String owner = name.equals("id") ? "SELECT $1::BIGINT" : owners.get(name);
      await(euDb.preparedQuery(owner).execute(Tuple.of(eventId))).forEach(row -> ids.add(row.getValue(0)));
      long found = 0;
      for (Object id : ids) {
        found += await(db.preparedQuery("SELECT count(*) FROM " + table + " WHERE " + name + " = $1")
            .execute(Tuple.of(id))).iterator().next().getLong(0);
      }
      rows.merge(table, found, Long::sum);
    }
    return rows;
  }

  private static Map<String, Long> rowsOfEveryTable(Pool db) throws Exception {
    Map<String, Long> rows = new HashMap<>();
    for (Row table : await(db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        + "AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history'").execute())) {
      String name = table.getString(0);
      rows.put(name, count(db, "SELECT count(*) FROM " + name));
    }
    return rows;
  }

  private static long count(Pool db, String sql, Object... params) throws Exception {
    return await(db.preparedQuery(sql).execute(Tuple.wrap(params))).iterator().next().getLong(0);
  }

  private static Pool pool(String url) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx).build();
  }

  private static int clusterSize(FoyerApp node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static Map<String, String> clustered(int port, String members, String region) {
    Map<String, String> env = new HashMap<>();
    env.put("FOYER_CLUSTER_ENABLED", "true");
    env.put("FOYER_CLUSTER_SECRET", "test-residency-secret-0123456789");
    env.put("FOYER_CLUSTER_HOST", "127.0.0.1");
    env.put("FOYER_CLUSTER_PORT", Integer.toString(port));
    env.put("FOYER_CLUSTER_MEMBERS", members);
    env.put("FOYER_REDIS_URL", TestServices.redisUrl());
    env.put("FOYER_NODE_REGION", region);
    return env;
  }
}
