package io.foyer.gateway;

import static io.foyer.testing.LobbyCalls.lobby;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TestNodes;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A waiting attendee's socket (docs/protocol.md#lobby): a lobby queue ticket as its token, its event's lobby topic
 * and nothing else, and its ticket renewed by the gateway for as long as the socket stays open.
 */
class LobbySocketTest {

  private static FoyerApp node;
  private static Api api;
  private static LobbyCalls calls;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of("FOYER_LIVE_ENGINE", "memory"));
    api = new Api(node.httpPort());
    calls = new LobbyCalls(api);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    await(node.stop());
  }

  @Test
  void aTicketHolderWaitsOnItsLobbyTopicWhileTheGatewayRenewsItsTicket() throws Exception {
    long eventId = lobbyOpen();
    JsonObject joined = calls.joinToWait(eventId);

    try (WsClient ws = WsClient.connect(node.httpPort(), joined.getString("ticket"))) {
      waitsAndIsRenewed(eventId, joined, ws);
    }
  }

  private static void waitsAndIsRenewed(long eventId, JsonObject joined, WsClient ws) throws Exception {
    JsonObject welcome = ws.next("welcome");
    long welcomedAt = System.nanoTime();

    assertThat(welcome.getString("role")).isEqualTo("waiting");
    assertThat(welcome.getLong("eventId")).isEqualTo(eventId);
    assertThat(welcome.getJsonArray("topics")).containsExactly("lobby:" + eventId);
    JsonObject status = welcome.getJsonObject("lobby");
    assertThat(status.getLong("place")).isEqualTo(joined.getLong("place"));
    assertThat(status.getString("ticket")).isNotBlank();
    assertThat(status.getLong("heartbeatSeconds")).isEqualTo(2);

    assertThat(ws.subscribe("lobby:" + eventId, null).getString("type")).isEqualTo("subscribed");
    JsonObject nowServing = ws.next(frame -> "message".equals(frame.getString("type"))
        && "lobby".equals(frame.getString("kind")));
    assertThat(nowServing.getJsonObject("data").getLong("serving")).isNotNull();
    assertThat(nowServing.getJsonObject("data").getDouble("ratePerSecond")).isEqualTo(1.0);

    JsonObject renewed = ws.next("lobby-ticket");
    assertThat(Duration.ofNanos(System.nanoTime() - welcomedAt)).isLessThan(Duration.ofMillis(3500));
    assertThat(renewed.getLong("place")).isEqualTo(joined.getLong("place"));
    String latest = renewed.getString("ticket");
    assertThat(latest).isNotBlank().isNotEqualTo(status.getString("ticket"));

    assertForbidden(ws.subscribe("event:" + eventId, null));
    String vote = ws.send(new JsonObject().put("type", "vote").put("pollId", 1).put("voteId", UUID.randomUUID()
        .toString()).put("answer", new JsonObject().put("option", "a")));
    assertForbidden(ws.next(frame -> vote.equals(frame.getString("re"))));
    String run = ws.send(new JsonObject().put("type", "run-poll").put("pollId", 1).put("action", "launch"));
    assertForbidden(ws.next(frame -> run.equals(frame.getString("re"))));

    // one a second from an empty line: its turn comes, and the latest ticket is exchanged for an admission
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> api.post(lobby(eventId) + "/admission", null,
        new JsonObject().put("ticket", latest)).statusCode() == 200);

    // past the ticket's lifetime, the ticket it joined with has expired; the socket's latest one has not
    Thread.sleep(Math.max(0, Duration.ofSeconds(7).minusNanos(System.nanoTime() - welcomedAt).toMillis()));
    String newest = ws.drain().stream().filter(frame -> "lobby-ticket".equals(frame.getString("type")))
        .reduce((first, second) -> second).orElseThrow().getString("ticket");
    Api.assertProblem(calls.renew(eventId, joined.getString("ticket")), 410, "ticket-expired");
    // the ticket as a query parameter, as a client without headers sends it
    assertThat(api.get(lobby(eventId) + "?ticket=" + newest, null).statusCode()).isEqualTo(200);
  }

  @Test
  void aHelloWithATicketOfAnotherEventWaitsInThatEventsLobbyOnly() throws Exception {
    long eventId = lobbyOpen();
    long otherEvent = lobbyOpen();
    String ticket = calls.joinToWait(otherEvent).getString("ticket");

    try (WsClient ws = WsClient.connect(node.httpPort(), null)) {
      String hello = ws.send(new JsonObject().put("type", "hello").put("v", 1).put("token", ticket));
      JsonObject welcome = ws.next("welcome");

      assertThat(welcome.getString("re")).isEqualTo(hello);
      assertThat(welcome.getLong("eventId")).isEqualTo(otherEvent);
      assertForbidden(ws.subscribe("lobby:" + eventId, null));
      assertThat(ws.subscribe("lobby:" + otherEvent, null).getString("type")).isEqualTo("subscribed");
    }
  }

  @Test
  void aForgedAlteredOrExpiredTicketIsRefusedAndTheSocketClosed() throws Exception {
    long eventId = lobbyOpen();
    long otherEvent = lobbyOpen();
    String ticket = calls.joinToWait(eventId).getString("ticket");
    String[] parts = ticket.split("\\.");
    JsonObject claims = new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(parts[1])));
    String movedToOtherEvent = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(claims.copy().put("event", otherEvent).toBuffer().getBytes()) + "." + parts[2];
    String signedElsewhere = sign(TestNodes.TOKEN_SECRET + "-not-ours", claims);
    String expired = sign(TestNodes.TOKEN_SECRET, claims.copy().put("seen", System.currentTimeMillis() - 3_600_000));
    String ofNoEvent = sign(TestNodes.TOKEN_SECRET, claims.copy().put("event", 424_242_424));

    assertRefused(movedToOtherEvent, "unauthorized");
    assertRefused(signedElsewhere, "unauthorized");
    assertRefused(expired, "ticket-expired");
    assertRefused(ofNoEvent, "not-found");
  }

  /**
   * A guarded live page: while the lobby is open and the page has its fill of attendees, a registered attendee's new
   * socket is sent to the lobby (4007), and comes in with the admission the lobby gives it, as often as it
   * reconnects; nobody else gets in with that admission.
   */
  @Test
  void aFullLivePageSendsNewSocketsThroughTheLobby() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String first = register(eventId, "first");
    String second = register(eventId, "second");
    String third = register(eventId, "third");
    HttpResponse<Buffer> saved = api.send(HttpMethod.PUT, lobby(eventId) + "/settings", ADMIN_KEY, new JsonObject()
        .put("mode", "always").put("admissionRate", 100).put("guardLiveAbove", 1));
    assertThat(saved.statusCode()).as(saved.bodyAsString()).isEqualTo(200);
    Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> api.get(lobby(eventId), null).bodyAsJsonObject().getBoolean("open"));

    try (WsClient onThePage = WsClient.connect(node.httpPort(), first)) {
      assertThat(onThePage.next("welcome").getString("role")).isEqualTo("attendee");
      // once the page's one place is counted as taken, the next attendee goes to the lobby
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refusedWith(second, "admission-required"));

      String ticket = calls.joinToWait(eventId).getString("ticket");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> api.post(lobby(eventId) + "/admission", null,
          new JsonObject().put("ticket", ticket)).statusCode() == 200);
      String admission = api.post(lobby(eventId) + "/admission", null, new JsonObject().put("ticket", ticket))
          .bodyAsJsonObject().getString("admission");
      for (int visit = 0; visit < 2; visit++) {
        try (WsClient admitted = WsClient.connect(node.httpPort(), second + "&admission=" + admission)) {
          assertThat(admitted.next("welcome").getString("role")).as("visit %d", visit).isEqualTo("attendee");
        }
      }
      assertThat(refusedWith(third + "&admission=" + admission, "admission-used")).isTrue();
      assertThat(refusedWith(third + "&admission=" + ticket, "invalid-admission")).isTrue();
    }
  }

  // ---- helpers ----

  /** Registers an attendee (while the event has no lobby) and returns its token. */
  private static String register(long eventId, String name) throws Exception {
    HttpResponse<Buffer> registered = calls.register(eventId, name + "-" + UUID.randomUUID() + "@example.org");
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    return registered.bodyAsJsonObject().getString("token");
  }

  /** Whether a socket opened with this URL token is refused with the code and closed with 4007. */
  private static boolean refusedWith(String token, String code) throws Exception {
    try (WsClient ws = WsClient.connect(node.httpPort(), token)) {
      JsonObject first = ws.next(frame -> "welcome".equals(frame.getString("type"))
          || "error".equals(frame.getString("type")));
      if (!"error".equals(first.getString("type"))) {
        return false;
      }
      assertThat(first.getString("code")).isEqualTo(code);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
      assertThat(ws.closeCode()).isEqualTo((short) 4007);
      return true;
    }
  }

  /** A new event whose lobby is always open, admitting one a second, tickets living 6 s (a heartbeat of 2 s). */
  private static long lobbyOpen() throws Exception {
    return calls.openLobby(new JsonObject().put("admissionRate", 1).put("ticketTtlSeconds", 6));
  }

  private static void assertRefused(String ticket, String code) throws Exception {
    try (WsClient ws = WsClient.connect(node.httpPort(), ticket)) {
      assertThat(ws.next("error").getString("code")).as(ticket).isEqualTo(code);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
      assertThat(ws.closeCode()).isEqualTo((short) 4001);
    }
  }

  private static void assertForbidden(JsonObject reply) {
    assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("error");
    assertThat(reply.getString("code")).isEqualTo("forbidden");
  }

  private static String sign(String secret, JsonObject claims) {
    return LobbyCalls.signedAsNode(node.vertx(), secret, claims);
  }

}
