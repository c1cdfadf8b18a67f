package io.foyer.gateway;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TcpProxy;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Announcements as organizers send them and attendees see them: sent once even when a retry follows a
 * failed publish, and a reset's snapshot is exactly the latest messages up to the reset.
 */
class AnnouncementDeliveryTest {

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<FoyerApp> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    for (FoyerApp node : nodes) {
      await(node.stop());
    }
  }

  // ---- Idempotency-Key (fault 5) ----

  @Test
  void aRetryAfterAFailedPublishSendsTheAnnouncementExactlyOnce() throws Exception {
    TcpProxy redis = track(TcpProxy.to(TestServices.redisUrl()));
    FoyerApp node = start(Map.of("FOYER_LIVE_ENGINE", "redis",
        "FOYER_REDIS_URL", redis.through(TestServices.redisUrl()), "FOYER_LIVE_HISTORY_SIZE", "1"));
    Api api = track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    String token = register(api, eventId, "once@example.org");
    WsClient ws = track(WsClient.connect(node.httpPort(), token));
    ws.next("welcome");
    assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    JsonObject body = new JsonObject().put("title", "Keynote").put("body", "Starts in 10 minutes");

    redis.cut();
    HttpResponse<Buffer> failed = announce(api, eventId, "key-1", body);
    Api.assertProblem(failed, 503, "unavailable");
    assertThat(failed.getHeader("Retry-After")).isEqualTo("1");
    redis.restore();

    // the organizer retries as told; the node may need a moment to reach Redis again
    HttpResponse<Buffer> sent = Awaitility.await().atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200)).until(() -> announce(api, eventId, "key-1", body),
            response -> response.statusCode() != 503);
    assertThat(sent.statusCode()).as(sent.bodyAsString()).isEqualTo(201);
    HttpResponse<Buffer> replayed = announce(api, eventId, "key-1", body);
    assertThat(replayed.statusCode()).isEqualTo(201);
    assertThat(replayed.bodyAsJsonObject()).isEqualTo(sent.bodyAsJsonObject());
    long id = sent.bodyAsJsonObject().getLong("id");
    long seq = sent.bodyAsJsonObject().getLong("seq");

    HttpResponse<Buffer> sentinel = announce(api, eventId, null, new JsonObject().put("body", "sentinel"));
    assertThat(sentinel.statusCode()).isEqualTo(201);
    List<JsonObject> messages = messagesUntil(ws, "sentinel");
    assertThat(messages).hasSize(2);
    JsonObject message = messages.get(0);
    assertThat(message.getLong("seq")).isEqualTo(seq);
    assertThat(message.getJsonObject("data"))
        .isEqualTo(new JsonObject().put("id", id).put("title", "Keynote").put("body", "Starts in 10 minutes"));
    assertThat(messages.get(1).getLong("seq")).isEqualTo(seq + 1);

    WsClient behind = track(WsClient.connect(node.httpPort(), token));
    behind.next("welcome");
    behind.send(new JsonObject().put("type", "subscribe").put("topic", "event:" + eventId).put("since", 0));
    JsonArray snapshot = behind.next("reset").getJsonObject("snapshot").getJsonArray("announcements");
    assertThat(snapshot.stream().map(item -> ((JsonObject) item).getLong("id")).filter(i -> i == id)).hasSize(1);
    assertThat(snapshot.stream().map(item -> ((JsonObject) item).getLong("seq")).toList()).containsExactly(seq, seq + 1);
  }

  @Test
  void aKeyUsedForAnotherRequestOrMalformedIsRefusedAndSendsNothing() throws Exception {
    FoyerApp node = start(Map.of("FOYER_LIVE_ENGINE", "memory"));
    Api api = track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    JsonObject registration = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee("keys@example.org")).bodyAsJsonObject();
    String rid = registration.getString("id");
    WsClient ws = track(WsClient.connect(node.httpPort(), registration.getString("token")));
    ws.next("welcome");
    ws.subscribe("event:" + eventId, null);
    ws.subscribe("attendee:" + rid, null);

    HttpResponse<Buffer> first = announce(api, eventId, "k", new JsonObject().put("body", "one"));
    assertThat(first.statusCode()).isEqualTo(201);
    HttpResponse<Buffer> direct = post(api, "/api/events/" + eventId + "/registrations/" + rid + "/messages", "d",
        new JsonObject().put("body", "just for you"));
    assertThat(direct.statusCode()).isEqualTo(201);
    assertThat(post(api, "/api/events/" + eventId + "/registrations/" + rid + "/messages", "d",
        new JsonObject().put("body", "just for you")).bodyAsJsonObject()).isEqualTo(direct.bodyAsJsonObject());

    Api.assertProblem(announce(api, eventId, "k", new JsonObject().put("body", "two")), 422,
        "idempotency-key-reused");
    // a direct message's key is the event's too: another request with it is refused
    Api.assertProblem(post(api, "/api/events/" + eventId + "/registrations/" + rid + "/messages", "k",
        new JsonObject().put("body", "one")), 422, "idempotency-key-reused");
    Api.assertProblem(announce(api, eventId, "x".repeat(201), new JsonObject().put("body", "two")), 400,
        "bad-request");
    Api.assertProblem(announce(api, eventId, "  ", new JsonObject().put("body", "two")), 400, "bad-request");

    HttpResponse<Buffer> sentinel = announce(api, eventId, null, new JsonObject().put("body", "sentinel"));
    assertThat(sentinel.bodyAsJsonObject().getLong("seq")).isEqualTo(first.bodyAsJsonObject().getLong("seq") + 1);
    assertThat(messagesUntil(ws, "sentinel").stream().map(m -> m.getJsonObject("data").getString("body")).toList())
        .containsExactly("one", "just for you", "sentinel");
  }

  // ---- reset snapshots (fault 6) ----

  @Test
  void aResetHoldsTheLatestTwentyMessagesUpToItsSequenceOldestFirst() throws Exception {
    FoyerApp node = start(Map.of("FOYER_LIVE_ENGINE", "memory", "FOYER_LIVE_HISTORY_SIZE", "5"));
    Api api = track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    String token = register(api, eventId, "reset@example.org");
    Map<Long, Long> idBySeq = new HashMap<>();
    for (int i = 1; i <= 30; i++) {
      JsonObject sent = announce(api, eventId, null, new JsonObject().put("body", "n" + i)).bodyAsJsonObject();
      idBySeq.put(sent.getLong("seq"), sent.getLong("id"));
    }

    WsClient ws = track(WsClient.connect(node.httpPort(), token));
    ws.next("welcome");
    ws.send(new JsonObject().put("type", "subscribe").put("topic", "event:" + eventId).put("since", 3));
    JsonObject reset = ws.next("reset");

    assertThat(reset.getLong("seq")).isEqualTo(30);
    List<JsonObject> items = items(reset);
    assertThat(items.stream().map(i -> i.getLong("seq")).toList())
        .isEqualTo(LongStream.rangeClosed(11, 30).boxed().toList());
    for (JsonObject item : items) {
      assertThat(item.getLong("id")).isEqualTo(idBySeq.get(item.getLong("seq")));
      assertThat(item.getString("body")).isEqualTo("n" + item.getLong("seq"));
      assertThat(item.getString("at")).isNotNull();
    }
    assertThat(ws.next("subscribed").getLong("seq")).isEqualTo(30);
  }

  @Test
  void resetsWhileAnnouncementsKeepComingAreExactOnMemory() throws Exception {
    resetsWhileAnnouncementsKeepComing(Map.of("FOYER_LIVE_ENGINE", "memory"));
  }

  @Test
  void resetsWhileAnnouncementsKeepComingAreExactOnRedis() throws Exception {
    resetsWhileAnnouncementsKeepComing(Map.of("FOYER_LIVE_ENGINE", "redis",
        "FOYER_REDIS_URL", TestServices.redisUrl()));
  }

  /**
   * Organizers keep announcing while clients resume from 0: every reset's snapshot ends exactly at its seq
   * with no gap, and the live messages continue from the next seq, each once.
   */
  private void resetsWhileAnnouncementsKeepComing(Map<String, String> engine) throws Exception {
    Map<String, String> config = new HashMap<>(engine);
    config.put("FOYER_LIVE_HISTORY_SIZE", "5");
    FoyerApp node = start(config);
    Api api = track(new Api(node.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    String token = register(api, eventId, "busy@example.org");
    Map<Long, Long> idBySeq = new ConcurrentHashMap<>();
    for (int i = 0; i < 10; i++) {
      JsonObject sent = announce(api, eventId, null, new JsonObject().put("body", "warm-up")).bodyAsJsonObject();
      idBySeq.put(sent.getLong("seq"), sent.getLong("id"));
    }

    int posters = 3;
    int perPoster = 30;
    ExecutorService pool = Executors.newFixedThreadPool(posters);
    AtomicInteger failures = new AtomicInteger();
    List<Future<?>> posting = new ArrayList<>();
    for (int p = 0; p < posters; p++) {
      posting.add(pool.submit(() -> {
        for (int i = 0; i < perPoster; i++) {
          try {
            HttpResponse<Buffer> sent = announce(api, eventId, null, new JsonObject().put("body", "busy"));
            if (sent.statusCode() == 201) {
              idBySeq.put(sent.bodyAsJsonObject().getLong("seq"), sent.bodyAsJsonObject().getLong("id"));
            } else {
              failures.incrementAndGet();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
        return null;
      }));
    }
    List<WsClient> resumed = new ArrayList<>();
    List<JsonObject> resets = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      WsClient ws = track(WsClient.connect(node.httpPort(), token));
      ws.next("welcome");
      ws.send(new JsonObject().put("type", "subscribe").put("topic", "event:" + eventId).put("since", 0));
      resets.add(ws.next("reset"));
      resumed.add(ws);
    }
    for (Future<?> done : posting) {
      done.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(failures.get()).isZero();
    long last = 10 + posters * perPoster;

    for (int c = 0; c < resumed.size(); c++) {
      JsonObject reset = resets.get(c);
      long at = reset.getLong("seq");
      List<Long> seqs = items(reset).stream().map(i -> i.getLong("seq")).toList();
      assertThat(seqs).as("reset at %d", at).isEqualTo(LongStream.rangeClosed(Math.max(1, at - 19), at).boxed().toList());
      for (JsonObject item : items(reset)) {
        assertThat(item.getLong("id")).as("id of seq %d", item.getLong("seq")).isEqualTo(idBySeq.get(item.getLong("seq")));
      }
      WsClient ws = resumed.get(c);
      List<Long> live = new ArrayList<>();
      while (live.isEmpty() || live.get(live.size() - 1) < last) {
        live.add(ws.next("message").getLong("seq"));
      }
      assertThat(live).as("live after reset at %d", at).isEqualTo(LongStream.rangeClosed(at + 1, last).boxed().toList());
    }
  }

  // ---- helpers ----

  private FoyerApp start(Map<String, String> overrides) throws Exception {
    FoyerApp node = TestNodes.start(overrides);
    nodes.add(node);
    return node;
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private static String register(Api api, long eventId, String email) throws Exception {
    HttpResponse<Buffer> response = api.post("/api/events/" + eventId + "/registrations", null, Api.attendee(email));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getString("token");
  }

  private static HttpResponse<Buffer> announce(Api api, long eventId, String key, JsonObject body) throws Exception {
    return post(api, "/api/events/" + eventId + "/announcements", key, body);
  }

  private static HttpResponse<Buffer> post(Api api, String path, String key, JsonObject body) throws Exception {
    var request = api.client().post(path).bearerTokenAuthentication(ADMIN_KEY)
        .putHeader("Content-Type", "application/json");
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return await(request.sendBuffer(Buffer.buffer(body.encode())));
  }

  /** Every message the socket receives up to and including the one whose body is the given text. */
  private static List<JsonObject> messagesUntil(WsClient ws, String lastBody) throws InterruptedException {
    List<JsonObject> messages = new ArrayList<>();
    do {
      messages.add(ws.next("message"));
    } while (!lastBody.equals(messages.get(messages.size() - 1).getJsonObject("data").getString("body")));
    return messages;
  }

  private static List<JsonObject> items(JsonObject reset) {
    JsonArray announcements = reset.getJsonObject("snapshot").getJsonArray("announcements");
    return announcements.stream().map(item -> (JsonObject) item).toList();
  }
}
