package io.foyer.gateway;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.bench.ServerProcess;
import io.foyer.testing.Api;
import io.foyer.testing.Opened;
import io.foyer.testing.TcpProxy;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.time.OffsetDateTime;
import io.vertx.sqlclient.Tuple;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What attendees notice when the node's database or Redis falters, a client misbehaves, or a node dies. */
class GatewayFaultsTest {

  private final Opened opened = new Opened();

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }

  @Test
  void aDatabaseBlipWhileASocketAuthenticatesAsksTheClientToRetryNotToGiveUp() throws Exception {
    TcpProxy postgres = opened.track(TcpProxy.to(TestServices.pgUrl()));
    FoyerApp node = node(Map.of("FOYER_PG_URL", postgres.through(TestServices.pgUrl())));
    Api api = opened.track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    String token = register(api, eventId, "blip@example.org").getString("token");

    postgres.cut();
    WsClient during = opened.track(WsClient.connect(node.httpPort(), token));
    JsonObject error = during.next("error");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> during.closeCode() != null);

    assertThat(error.getString("code")).isEqualTo("unavailable");
    assertThat(during.closeCode()).as("a retryable close, not 4001").isEqualTo((short) 1013);
    postgres.restore();
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      try (WsClient after = WsClient.connect(node.httpPort(), token)) {
        assertThat(after.next(f -> f.containsKey("type")).getString("type")).isEqualTo("welcome");
      }
    });
  }

  @Test
  void aTopicThatCouldNotBeJoinedIsLetGoOfAndJoinsAgainOnceRedisIsBack() throws Exception {
    TcpProxy redis = opened.track(TcpProxy.to(TestServices.redisUrl()));
    FoyerApp node = node(Map.of("FOYER_LIVE_ENGINE", "redis", "FOYER_REDIS_URL",
        redis.through(TestServices.redisUrl())));
    Api api = opened.track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    WsClient ws = opened.track(WsClient.connect(node.httpPort(), register(api, eventId, "hub@example.org")
        .getString("token")));
    ws.next("welcome");

    redis.cut();
    JsonObject refused = ws.subscribe("event:" + eventId, null);

    assertThat(refused.getString("code")).isEqualTo("unavailable");
    assertThat(gauge(api, "foyer_gateway_topics")).as("topics consumed after the failed join").isZero();
    redis.restore();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
        "subscribed".equals(ws.subscribe("event:" + eventId, null).getString("type")));
    assertThat(gauge(api, "foyer_gateway_topics")).isEqualTo(1);
    long seq = api.post("/api/events/" + eventId + "/announcements", ADMIN_KEY, new JsonObject().put("body", "back"))
        .bodyAsJsonObject().getLong("seq");
    assertThat(ws.next("message").getLong("seq")).isEqualTo(seq);
  }

  @Test
  void aSecondHelloWhileTheFirstIsCheckedIsRefusedAndCountsNobodyTwice() throws Exception {
    FoyerApp node = node(Map.of());
    Api api = opened.track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    WsClient observer = opened.track(WsClient.connect(node.httpPort(), register(api, eventId, "obs@example.org")
        .getString("token")));
    observer.next("welcome");
    observer.subscribe("event:" + eventId, null);
    String token = register(api, eventId, "twice@example.org").getString("token");

    WsClient twice = WsClient.connect(node.httpPort(), null);
    JsonObject hello = new JsonObject().put("type", "hello").put("v", 1).put("token", token);
    String first = twice.send(hello);
    String second = twice.send(hello);
    JsonObject welcome = twice.next("welcome");
    JsonObject refused = twice.next("error");

    assertThat(welcome.getString("re")).isEqualTo(first);
    assertThat(refused.getString("re")).isEqualTo(second);
    assertThat(refused.getString("code")).isEqualTo("already-authenticated");
    observer.next(f -> "presence".equals(f.getString("type")) && f.getLong("online") == 2);
    observer.drain(); // an older count of 1 must not pass for the one after the close
    twice.close();
    observer.next(f -> "presence".equals(f.getString("type")) && f.getLong("online") == 1);
  }

  @Test
  void aCrashedNodesPresenceAndOpenStaysAreClosedByASurvivor() throws Exception {
    Map<String, String> shared = Map.of("FOYER_LIVE_ENGINE", "redis", "FOYER_REDIS_URL", TestServices.redisUrl(),
        "FOYER_NODE_HEARTBEAT_SECONDS", "1", "FOYER_NODE_DEAD_AFTER_SECONDS", "3");
    FoyerApp survivor = node(shared);
    Api api = opened.track(new Api(survivor.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    JsonObject times = Api.event(new JsonObject());
    long sessionId = api.post("/api/events/" + eventId + "/sessions", ADMIN_KEY, new JsonObject()
        .put("title", "Keynote").put("startsAt", times.getString("startsAt")).put("endsAt", times.getString("endsAt")))
        .bodyAsJsonObject().getLong("id");
    String session = "session:" + sessionId;
    WsClient here = opened.track(WsClient.connect(survivor.httpPort(), register(api, eventId, "here@example.org")
        .getString("token")));
    here.next("welcome");
    here.subscribe(session, null);
    ServerProcess doomed = process(shared);
    WsClient there = opened.track(WsClient.connect(doomed.port(), register(api, eventId, "there@example.org")
        .getString("token")));
    there.next("welcome");
    there.subscribe(session, null);
    here.next(f -> "presence".equals(f.getString("type")) && f.getLong("online") == 2);
    here.drain(); // an older count of 1 must not pass for the one after the crash

    Instant killedAt = Instant.now();
    doomed.kill();

    here.next(f -> "presence".equals(f.getString("type")) && f.getLong("online") == 1);
    UUID registrationId = UUID.fromString(there.seen().stream().filter(f -> "welcome".equals(f.getString("type")))
        .findFirst().orElseThrow().getString("registrationId"));
    OffsetDateTime leftAt = Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> stayEnd(survivor, registrationId), end -> end != null);
    assertThat(leftAt.toInstant()).as("the stay ends at the dead node's last heartbeat").isBefore(killedAt);
  }

  private static OffsetDateTime stayEnd(FoyerApp node, UUID registrationId) throws Exception {
    return await(node.store().pool().preparedQuery("SELECT left_at FROM attendance WHERE registration_id = $1")
        .execute(Tuple.of(registrationId))).iterator().next().getOffsetDateTime("left_at");
  }

  private FoyerApp node(Map<String, String> overrides) throws Exception {
    FoyerApp node = TestNodes.start(overrides);
    opened.track(() -> await(node.stop()));
    return node;
  }

  /** A node in a process of its own, on the same database and Redis keys as the test's nodes. */
  private ServerProcess process(Map<String, String> overrides) throws Exception {
    return opened.track(TestNodes.startProcess(overrides));
  }

  private static long gauge(Api api, String name) throws Exception {
    Matcher value = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} ([0-9.E]+)$")
        .matcher(api.get("/metrics", null).bodyAsString());
    assertThat(value.find()).as(name + " in /metrics").isTrue();
    return (long) Double.parseDouble(value.group(1));
  }

  private static JsonObject register(Api api, long eventId, String email) throws Exception {
    return api.post("/api/events/" + eventId + "/registrations", null, Api.attendee(email)).bodyAsJsonObject();
  }

}
