package io.foyer.gateway;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
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
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket gateway as attendees' browsers use it, on a real node; run once per LiveState engine.
 */
abstract class GatewayContract {

  /** Configuration that selects the engine under test. */
  protected abstract Map<String, String> engine();

  private final List<FoyerApp> nodes = new ArrayList<>();
  protected final List<AutoCloseable> clients = new ArrayList<>();
  protected FoyerApp node;
  protected Api api;

  @BeforeEach
  void startNode() throws Exception {
    node = start(Map.of());
    api = track(new Api(node.httpPort()));
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    for (FoyerApp started : nodes) {
      await(started.stop());
    }
  }

  @Test
  void anAttendeeIsWelcomedWithTheTopicsOfTheirEvent() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject registration = register(eventId, "ws1@example.org");

    WsClient ws = client(null);
    String id = ws.send(new JsonObject().put("type", "hello").put("v", 1).put("token", registration.getString("token")));
    JsonObject welcome = ws.next("welcome");

    assertThat(welcome.getString("re")).isEqualTo(id);
    assertThat(welcome.getString("role")).isEqualTo("attendee");
    assertThat(welcome.getLong("eventId")).isEqualTo(eventId);
    assertThat(welcome.getJsonArray("topics")).contains("event:" + eventId, "lobby:" + eventId,
        "attendee:" + registration.getString("id"));
  }

  @Test
  void anAttendeeMayNotSubscribeOutsideTheirEventNorGetItsMessages() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    JsonObject registration = register(eventId, "ws2@example.org");
    JsonObject other = register(otherEvent, "ws2b@example.org");
    WsClient ws = client(registration.getString("token"));
    ws.next("welcome");

    JsonObject refusedEvent = ws.subscribe("event:" + otherEvent, null);
    JsonObject refusedAttendee = ws.subscribe("attendee:" + other.getString("id"), null);
    JsonObject allowed = ws.subscribe("event:" + eventId, null);

    assertThat(refusedEvent.getString("type")).isEqualTo("error");
    assertThat(refusedEvent.getString("code")).isEqualTo("forbidden");
    assertThat(refusedAttendee.getString("type")).isEqualTo("error");
    assertThat(refusedAttendee.getString("code")).isEqualTo("forbidden");
    assertThat(allowed.getString("type")).isEqualTo("subscribed");
    // a refused subscription must not deliver anything either
    assertThat(announce(otherEvent, "for the other event only").statusCode()).isEqualTo(201);
    assertThat(api.post("/api/events/" + otherEvent + "/registrations/" + other.getString("id") + "/messages",
        ADMIN_KEY, new JsonObject().put("body", "for the other attendee only")).statusCode()).isEqualTo(201);
    assertNothingElseArrivesBeforeAnotherAnnouncement(eventId, ws);
  }

  @Test
  void anAnnouncementReachesEverySubscriberOnceWithItsSequenceNumber() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    WsClient first = subscribed(eventId, "a1@example.org", "event:" + eventId, null);
    WsClient second = subscribed(eventId, "a2@example.org", "event:" + eventId, null);

    HttpResponse<Buffer> sent = announce(eventId, "Doors open in 5 minutes");

    assertThat(sent.statusCode()).as(sent.bodyAsString()).isEqualTo(201);
    for (WsClient ws : List.of(first, second)) {
      JsonObject message = ws.next("message");
      assertThat(message.getString("topic")).isEqualTo("event:" + eventId);
      assertThat(message.getLong("seq")).isEqualTo(sent.bodyAsJsonObject().getLong("seq"));
      assertThat(message.getString("kind")).isEqualTo("announcement");
      assertThat(message.getJsonObject("data").getString("body")).isEqualTo("Doors open in 5 minutes");
    }
    assertNothingElseArrivesBeforeAnotherAnnouncement(eventId, first, second);
  }

  @Test
  void aResumedSubscriptionGetsExactlyTheMissedMessagesInOrderOnce() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject registration = register(eventId, "resume@example.org");
    WsClient ws = client(registration.getString("token"));
    ws.next("welcome");
    ws.subscribe("event:" + eventId, null);
    announce(eventId, "one");
    long seen = ws.next("message").getLong("seq");
    ws.close();
    clients.remove(ws);

    List<Long> missed = new ArrayList<>();
    for (String text : List.of("two", "three", "four")) {
      missed.add(announce(eventId, text).bodyAsJsonObject().getLong("seq"));
    }
    WsClient back = client(registration.getString("token"));
    back.next("welcome");
    back.subscribe("event:" + eventId, seen);
    announce(eventId, "five");

    List<JsonObject> messages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      messages.add(back.next("message"));
    }
    assertThat(messages.stream().map(m -> m.getJsonObject("data").getString("body")).toList())
        .containsExactly("two", "three", "four", "five");
    assertThat(messages.subList(0, 3).stream().map(m -> m.getLong("seq")).toList()).isEqualTo(missed);
    assertNothingElseArrivesBeforeAnotherAnnouncement(eventId, back);
  }

  @Test
  void messagesThatOvertakeEachOtherOnTheWayAreDeliveredInOrderOnce() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    WsClient ws = subscribed(eventId, "order@example.org", "event:" + eventId, null);
    Topic topic = Topic.event(eventId);
    String first = Frames.body("announcement", "2030-01-01T00:00:00.000Z", new JsonObject().put("body", "first"));
    String second = Frames.body("announcement", "2030-01-01T00:00:01.000Z", new JsonObject().put("body", "second"));
    long firstSeq = await(node.live().append(topic.name(), first, 100, Duration.ofMinutes(10)));
    long secondSeq = await(node.live().append(topic.name(), second, 100, Duration.ofMinutes(10)));

    // two publishers' messages cross on the way between nodes: the later one arrives first
    node.gateway().transport().publish(topic, secondSeq, second);
    node.gateway().transport().publish(topic, firstSeq, first);

    assertThat(ws.next("message").getLong("seq")).isEqualTo(firstSeq);
    assertThat(ws.next("message").getLong("seq")).isEqualTo(secondSeq);
    assertNothingElseArrivesBeforeAnotherAnnouncement(eventId, ws);
  }

  @Test
  void theTokenOfACancelledRegistrationNoLongerOpensASocket() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String token = register(eventId, "gone@example.org").getString("token");
    HttpResponse<Buffer> cancelled = api.delete("/api/events/" + eventId + "/registrations/me", token);
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);

    WsClient ws = client(token);

    assertThat(ws.next("error").getString("code")).isEqualTo("unauthorized");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 4001);
  }

  @Test
  void aClientTooFarBehindGetsAResetWithASnapshot() throws Exception {
    FoyerApp small = start(Map.of("FOYER_LIVE_HISTORY_SIZE", "2"));
    Attendee attendee = attendeeOn(small, "behind@example.org");
    long eventId = attendee.eventId();
    for (int i = 1; i <= 5; i++) {
      attendee.api().post("/api/events/" + eventId + "/announcements", ADMIN_KEY, new JsonObject().put("body", "n" + i));
    }

    WsClient ws = track(WsClient.connect(small.httpPort(), attendee.token()));
    ws.next("welcome");
    ws.send(new JsonObject().put("type", "subscribe").put("topic", "event:" + eventId).put("since", 1));
    JsonObject reset = ws.next("reset");

    assertThat(reset.getLong("seq")).isEqualTo(5);
    JsonArray snapshot = reset.getJsonObject("snapshot").getJsonArray("announcements");
    assertThat(snapshot.getJsonObject(snapshot.size() - 1).getString("body")).isEqualTo("n5");
    assertThat(ws.next("subscribed").getLong("seq")).isEqualTo(5);
  }

  @Test
  void badFramesGetTheDocumentedErrorsAndTheSocketStaysOpen() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    WsClient ws = client(register(eventId, "bad@example.org").getString("token"));
    ws.next("welcome");

    ws.sendRaw("this is not json");
    assertThat(ws.next("error").getString("code")).isEqualTo("invalid-json");
    ws.sendRaw("[1,2]");
    assertThat(ws.next("error").getString("code")).isEqualTo("bad-request");
    String id = ws.send(new JsonObject().put("type", "dance"));
    JsonObject unknown = ws.next("error");
    assertThat(unknown.getString("code")).isEqualTo("unknown-type");
    assertThat(unknown.getString("re")).isEqualTo(id);
    assertThat(ws.subscribe("nonsense:1", null).getString("code")).isEqualTo("bad-request");
    String ping = ws.send(new JsonObject().put("type", "ping"));
    assertThat(ws.next("pong").getString("re")).isEqualTo(ping);
    assertThat(ws.closeCode()).isNull();
  }

  @Test
  void anOversizeMessageClosesTheSocketWith1009() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    WsClient ws = client(register(eventId, "big@example.org").getString("token"));
    ws.next("welcome");

    ws.sendRaw("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(20_000) + "\"}");

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 1009);
  }

  @Test
  void aWrongTokenIsRefusedAndTheSocketClosedWith4001() throws Exception {
    WsClient ws = client(null);
    ws.send(new JsonObject().put("type", "hello").put("token", "forged.token.value"));

    assertThat(ws.next("error").getString("code")).isEqualTo("unauthorized");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 4001);
  }

  @Test
  void nothingButHelloAndPingBeforeAuthentication() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    WsClient ws = client(null);

    JsonObject refused = ws.subscribe("event:" + eventId, null);
    String ping = ws.send(new JsonObject().put("type", "ping"));

    assertThat(refused.getString("type")).isEqualTo("error");
    assertThat(refused.getString("code")).isEqualTo("unauthorized");
    assertThat(ws.next("pong").getString("re")).isEqualTo(ping);
  }

  @Test
  void anUnauthenticatedSocketIsClosedAfterTheTimeout() throws Exception {
    FoyerApp strict = start(Map.of("FOYER_GATEWAY_AUTH_TIMEOUT_SECONDS", "1"));
    WsClient ws = track(WsClient.connect(strict.httpPort(), null));

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 4001);
  }

  @Test
  void onlyAllowedOriginsMayOpenASocket() throws Exception {
    FoyerApp guarded = start(Map.of("FOYER_GATEWAY_ALLOWED_ORIGINS", "https://events.example.org"));
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      var client = vertx.createWebSocketClient();
      Throwable refused = await(client.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(guarded.httpPort()).setURI("/ws").addHeader("Origin", "https://evil.example.com"))
          .map(ws -> (Throwable) null).otherwise(err -> err));
      var allowed = await(client.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(guarded.httpPort()).setURI("/ws").addHeader("Origin", "https://events.example.org")));

      assertThat(refused).isNotNull().hasMessageContaining("403");
      assertThat(allowed.isClosed()).isFalse();
      await(allowed.close());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aClientSendingTooFastIsToldToSlowDown() throws Exception {
    FoyerApp limited = start(Map.of("FOYER_GATEWAY_INBOUND_RATE_PER_SECOND", "1", "FOYER_GATEWAY_INBOUND_BURST", "3"));
    WsClient ws = track(WsClient.connect(limited.httpPort(), null));
    for (int i = 0; i < 5; i++) {
      ws.send(new JsonObject().put("type", "ping"));
    }

    assertThat(ws.next("error").getString("code")).isEqualTo("rate-limited");
    for (int i = 0; i < 10; i++) {
      ws.send(new JsonObject().put("type", "ping"));
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 4029);
  }

  @Test
  void aSilentSocketIsClosedAfterTheIdleTimeout() throws Exception {
    FoyerApp impatient = start(Map.of("FOYER_GATEWAY_IDLE_TIMEOUT_SECONDS", "2",
        "FOYER_GATEWAY_PING_INTERVAL_SECONDS", "1"));
    String token = attendeeOn(impatient, "quiet@example.org").token();

    // a client gone silent, not even answering pings (a raw socket: WebSocket libraries answer them)
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", impatient.httpPort())) {
      raw.setSoTimeout(15_000);
      raw.getOutputStream().write(("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.DataInputStream in = new java.io.DataInputStream(raw.getInputStream());
      String status = readLine(in);
      assertThat(status).contains("101");
      while (!readLine(in).isEmpty()) {
        // response headers
      }
      int closeCode = -1;
      while (closeCode < 0) {
        int opcode = in.readUnsignedByte() & 0x0f;
        int length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        }
        byte[] payload = in.readNBytes(length);
        if (opcode == 0x8) {
          closeCode = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
      }
      assertThat(closeCode).isEqualTo(4002);
    }
  }

  private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n' && c >= 0) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Test
  void aSocketThatDoesNotReadIsClosedAsTooSlowAndTheNodeLetsItGo() throws Exception {
    FoyerApp tight = start(Map.of("FOYER_GATEWAY_WRITE_QUEUE_MAX_BYTES", "4096"));
    Attendee attendee = attendeeOn(tight, "slow@example.org");
    long eventId = attendee.eventId();
    WsClient slow = track(WsClient.connect(tight.httpPort(), attendee.token()));
    slow.next("welcome");
    slow.subscribe("event:" + eventId, null);
    slow.socket().pause(); // the browser tab froze: nothing is read any more

    String big = "x".repeat(4000);
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
      tight.gateway().publish(io.foyer.gateway.Topic.event(eventId), "announcement",
          new JsonObject().put("body", big));
      return tight.gatewayConnections() == 0;
    });

    slow.socket().resume();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> slow.closeCode() != null);
    assertThat(slow.closeCode()).isEqualTo((short) 4008);
  }

  @Test
  void presenceCountsArePushedAndAttendanceIsReported() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject times = Api.event(new JsonObject());
    long sessionId = api.post("/api/events/" + eventId + "/sessions", ADMIN_KEY, new JsonObject()
        .put("title", "Keynote").put("startsAt", times.getString("startsAt")).put("endsAt", times.getString("endsAt")))
        .bodyAsJsonObject().getLong("id");
    WsClient ada = subscribed(eventId, "ada@example.org", "session:" + sessionId, null);
    WsClient bob = subscribed(eventId, "bob@example.org", "session:" + sessionId, null);

    JsonObject presence = ada.next(f -> "presence".equals(f.getString("type")) && f.getLong("online") == 2);
    assertThat(presence.getString("topic")).isEqualTo("session:" + sessionId);
    bob.close();
    clients.remove(bob);
    ada.next(f -> "presence".equals(f.getString("type")) && f.getLong("online") == 1);

    String path = "/api/events/" + eventId + "/sessions/" + sessionId + "/attendance";
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        api.get(path, ADMIN_KEY).bodyAsJsonObject().getLong("uniqueAttendees") == 2);
    JsonObject report = api.get(path, ADMIN_KEY).bodyAsJsonObject();
    assertThat(report.getLong("peakConcurrent")).isEqualTo(2);
    assertThat(report.getJsonArray("attendees")).hasSize(2);
    String csv = api.get(path + ".csv", ADMIN_KEY).bodyAsString();
    assertThat(csv).startsWith("registration_id,name,email,first_joined_at,last_left_at,seconds_attended")
        .contains("bob@example.org").contains("ada@example.org");
  }

  @Test
  void aDirectMessageReachesOnlyItsAttendee() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject ada = register(eventId, "dm-ada@example.org");
    JsonObject bob = register(eventId, "dm-bob@example.org");
    JsonObject carol = register(eventId, "dm-carol@example.org");
    // everyone listens on the event's topic (where the sentinel comes) and on their own attendee topic
    WsClient adaWs = subscribed(ada, "attendee:" + ada.getString("id"));
    WsClient bobWs = subscribed(bob, "attendee:" + bob.getString("id"));
    WsClient carolWs = subscribed(carol, "attendee:" + carol.getString("id"));
    // an organizer watching the event, the lobby and another attendee, but not Ada
    WsClient organizer = client(ADMIN_KEY);
    organizer.next("welcome");
    for (String topic : List.of("lobby:" + eventId, "attendee:" + bob.getString("id"))) {
      assertThat(organizer.subscribe(topic, null).getString("type")).isEqualTo("subscribed");
    }
    for (WsClient ws : List.of(adaWs, bobWs, carolWs, organizer)) {
      assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    }

    HttpResponse<Buffer> sent = api.post("/api/events/" + eventId + "/registrations/" + ada.getString("id")
        + "/messages", ADMIN_KEY, new JsonObject().put("body", "Your badge is ready"));

    assertThat(sent.statusCode()).as(sent.bodyAsString()).isEqualTo(201);
    JsonObject received = adaWs.next("message");
    assertThat(received.getString("topic")).isEqualTo("attendee:" + ada.getString("id"));
    assertThat(received.getJsonObject("data").getString("body")).isEqualTo("Your badge is ready");
    assertNothingElseArrivesBeforeAnotherAnnouncement(eventId, adaWs, bobWs, carolWs, organizer);
  }

  @Test
  void shuttingDownTellsClientsToReconnectElsewhere() throws Exception {
    FoyerApp leaving = start(Map.of("FOYER_GATEWAY_RECONNECT_JITTER_SECONDS", "3"));
    WsClient ws = track(WsClient.connect(leaving.httpPort(), attendeeOn(leaving, "bye@example.org").token()));
    ws.next("welcome");

    await(leaving.stop());
    nodes.remove(leaving);

    JsonObject reconnect = ws.next("reconnect");
    assertThat(reconnect.getLong("afterMs")).isBetween(0L, 3000L);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 1012);
  }

  /** An attendee of a new event on the given node (not the default one). */
  protected record Attendee(Api api, long eventId, String token) {}

  protected Attendee attendeeOn(FoyerApp other, String email) throws Exception {
    Api otherApi = track(new Api(other.httpPort()));
    long eventId = otherApi.createEvent(new JsonObject());
    String token = otherApi.post("/api/events/" + eventId + "/registrations", null, Api.attendee(email))
        .bodyAsJsonObject().getString("token");
    return new Attendee(otherApi, eventId, token);
  }

  protected FoyerApp start(Map<String, String> overrides) throws Exception {
    Map<String, String> all = new HashMap<>(engine());
    all.putAll(overrides);
    FoyerApp started = TestNodes.start(all);
    nodes.add(started);
    return started;
  }

  protected <T extends AutoCloseable> T track(T client) {
    clients.add(client);
    return client;
  }

  protected WsClient client(String token) throws Exception {
    return track(WsClient.connect(node.httpPort(), token));
  }

  protected JsonObject register(long eventId, String email) throws Exception {
    HttpResponse<Buffer> response = api.post("/api/events/" + eventId + "/registrations", null, Api.attendee(email));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  protected WsClient subscribed(long eventId, String email, String topic, Long since) throws Exception {
    WsClient ws = client(register(eventId, email).getString("token"));
    ws.next("welcome");
    assertThat(ws.subscribe(topic, since).getString("type")).isEqualTo("subscribed");
    return ws;
  }

  protected WsClient subscribed(JsonObject registration, String topic) throws Exception {
    WsClient ws = client(registration.getString("token"));
    ws.next("welcome");
    assertThat(ws.subscribe(topic, null).getString("type")).isEqualTo("subscribed");
    return ws;
  }

  protected HttpResponse<Buffer> announce(long eventId, String body) throws Exception {
    return api.post("/api/events/" + eventId + "/announcements", ADMIN_KEY, new JsonObject().put("body", body));
  }

  /**
   * Announces a sentinel to the event and waits until each socket (subscribed to the event's topic) has it;
   * fails if any of them got a message, besides the sentinel, that the test has not taken already. A node
   * delivers what it publishes in order, so a duplicate or stray message sent before the sentinel arrives
   * before it: no fixed wait, and nothing late slips past.
   */
  protected void assertNothingElseArrivesBeforeAnotherAnnouncement(long eventId, WsClient... sockets)
      throws Exception {
    assertNothingElseArrivesBeforeAnotherAnnouncement(api, eventId, sockets);
  }

  /** The same, announcing through the given node's API: the node the sockets are connected to. */
  protected void assertNothingElseArrivesBeforeAnotherAnnouncement(Api via, long eventId, WsClient... sockets)
      throws Exception {
    String sentinel = "sentinel " + UUID.randomUUID();
    HttpResponse<Buffer> sent = via.post("/api/events/" + eventId + "/announcements", ADMIN_KEY,
        new JsonObject().put("body", sentinel));
    assertThat(sent.statusCode()).as(sent.bodyAsString()).isEqualTo(201);
    for (int i = 0; i < sockets.length; i++) {
      WsClient ws = sockets[i];
      ws.next(frame -> isMessage(frame) && sentinel.equals(bodyOf(frame)));
      assertThat(ws.drain()).as("messages on socket %d besides the sentinel", i).filteredOn(GatewayContract::isMessage)
          .isEmpty();
    }
  }

  protected static boolean isMessage(JsonObject frame) {
    return "message".equals(frame.getString("type"));
  }

  protected static String bodyOf(JsonObject message) {
    JsonObject data = message.getJsonObject("data");
    return data == null ? null : data.getString("body");
  }
}
