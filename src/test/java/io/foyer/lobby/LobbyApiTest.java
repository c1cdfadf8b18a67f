package io.foyer.lobby;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.LobbyCalls.lobby;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lobby over HTTP on one node (memory engine): joining, waiting, being admitted and registering, as an
 * attendee's browser does it, and every way a ticket or admission can be wrong, each refused with its own code.
 */
class LobbyApiTest {

  private static FoyerApp node;
  private static Api api;
  private static Vertx signing;
  private static LobbyCalls calls;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of("FOYER_LIVE_ENGINE", "memory", "FOYER_LOBBY_TICK_MILLIS", "50",
        "FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE", "0"));
    api = new Api(node.httpPort());
    signing = Vertx.vertx();
    calls = new LobbyCalls(api);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    await(signing.close());
    await(node.stop());
  }

  @Test
  void withTheLobbyClosedAJoinGoesAheadAndRegistrationNeedsNoAdmission() throws Exception {
    long eventId = api.createEvent(new JsonObject());

    HttpResponse<Buffer> joined = api.post(lobby(eventId), null, null);

    assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(200);
    assertThat(joined.bodyAsJsonObject().getString("status")).isEqualTo("admitted");
    assertThat(joined.bodyAsJsonObject().getString("admission")).isNotBlank();
    assertThat(register(eventId, "open@example.org", null).statusCode()).isEqualTo(201);
    assertThat(api.get(lobby(eventId), null).bodyAsJsonObject().getBoolean("open")).isFalse();
  }

  @Test
  void anOpenLobbyHandsOutPlacesInOrderAndAdmitsEachInTurn() throws Exception {
    long eventId = calls.openLobby(new JsonObject().put("admissionRate", 2));
    // paused while they join, so that who may go ahead is certain
    api.post(lobby(eventId) + "/pause", ADMIN_KEY, null);
    long serving = calls.state(eventId).getLong("serving");

    JsonObject first = calls.joinToWait(eventId);
    JsonObject second = calls.joinToWait(eventId);
    JsonObject third = calls.joinToWait(eventId);

    assertThat(first.getString("status")).isEqualTo("waiting");
    assertThat(second.getLong("place")).isEqualTo(first.getLong("place") + 1);
    assertThat(third.getLong("place")).isEqualTo(first.getLong("place") + 2);
    assertThat(register(eventId, "early@example.org", null).statusCode()).isEqualTo(403);
    assertProblem(register(eventId, "early@example.org", null), 403, "admission-required");

    JsonObject thirdNow = calls.renew(eventId, third.getString("ticket")).bodyAsJsonObject();
    assertProblem(calls.exchange(eventId, third.getString("ticket")), 409, "not-your-turn");
    assertThat(thirdNow.getString("status")).isEqualTo("waiting");
    assertThat(thirdNow.getLong("ahead")).isEqualTo(third.getLong("place") - serving - 1);

    // two a second once resumed: the third's turn comes after the first two's
    api.post(lobby(eventId) + "/resume", ADMIN_KEY, null);
    await().atMost(10, SECONDS).until(() -> calls.exchange(eventId, third.getString("ticket")).statusCode() == 200);
    assertThat(calls.renew(eventId, first.getString("ticket")).bodyAsJsonObject().getString("status"))
        .isEqualTo("your-turn");

    String admission = calls.exchange(eventId, first.getString("ticket")).bodyAsJsonObject().getString("admission");
    assertThat(calls.exchange(eventId, first.getString("ticket")).bodyAsJsonObject().getString("admission"))
        .as("asking twice gives the same token").isEqualTo(admission);
    assertThat(register(eventId, "first@example.org", admission).statusCode()).isEqualTo(201);
    assertThat(register(eventId, "first@example.org", admission).statusCode())
        .as("the same registration again").isIn(200, 201);
    assertProblem(register(eventId, "someone-else@example.org", admission), 403, "admission-used");
  }

  @Test
  void everyWrongTicketIsRefusedWithItsOwnCode() throws Exception {
    long eventId = calls.openLobby(new JsonObject());
    long otherEvent = calls.openLobby(new JsonObject());
    String ticket = calls.joinToWait(eventId).getString("ticket");
    String[] parts = ticket.split("\\.");
    JsonObject claims = new JsonObject(Buffer.buffer(java.util.Base64.getUrlDecoder().decode(parts[1])));
    String moved = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        claims.copy().put("n", claims.getLong("n") + 1000).encode().getBytes()) + "." + parts[2];
    long renewedLongAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

    assertProblem(calls.renew(eventId, ticket.substring(0, ticket.length() - 3) + "abc"), 400, "invalid-ticket");
    assertProblem(calls.renew(eventId, moved), 400, "invalid-ticket");
    assertProblem(calls.renew(eventId, "not-a-ticket"), 400, "invalid-ticket");
    assertProblem(calls.renew(otherEvent, ticket), 400, "invalid-ticket");
    assertProblem(calls.exchange(otherEvent, ticket), 400, "invalid-ticket");
    assertProblem(calls.renew(eventId, sign(TestNodes.TOKEN_SECRET + "-forged", claims)), 400, "invalid-ticket");
    assertProblem(calls.renew(eventId, sign(TestNodes.TOKEN_SECRET, claims.copy().put("seen", renewedLongAgo))), 410,
        "ticket-expired");
    assertProblem(calls.exchange(eventId, sign(TestNodes.TOKEN_SECRET, claims.copy().put("seen", renewedLongAgo))), 410,
        "ticket-expired");
    assertProblem(calls.renew(eventId, attendeeToken()), 400, "invalid-ticket");
    assertThat(calls.renew(eventId, ticket).statusCode()).as("the ticket itself still works").isEqualTo(200);
  }

  @Test
  void everyWrongAdmissionIsRefusedAndRegistersNobody() throws Exception {
    long eventId = calls.openLobby(new JsonObject().put("admissionRate", 100));
    long otherEvent = calls.openLobby(new JsonObject().put("admissionRate", 100));
    String ticket = calls.joinToWait(otherEvent).getString("ticket");
    await().atMost(10, SECONDS).until(() -> calls.exchange(otherEvent, ticket).statusCode() == 200);
    String otherAdmission = calls.exchange(otherEvent, ticket).bodyAsJsonObject().getString("admission");
    JsonObject expiredClaims = new JsonObject().put("role", "lobby-admission").put("event", eventId)
        .put("jti", "q1").put("iat", 1_000).put("exp", 2_000);

    assertProblem(register(eventId, "x@example.org", otherAdmission), 403, "invalid-admission");
    assertProblem(register(eventId, "x@example.org", ticket), 403, "invalid-admission");
    assertProblem(register(eventId, "x@example.org", attendeeToken()), 403, "invalid-admission");
    assertProblem(register(eventId, "x@example.org", sign(TestNodes.TOKEN_SECRET, expiredClaims)), 403,
        "admission-expired");
    HttpResponse<Buffer> registrations = api.get("/api/events/" + eventId + "/registrations", ADMIN_KEY);
    assertThat(registrations.bodyAsJsonObject().getJsonArray("registrations", new JsonArray())).isEmpty();
  }

  @Test
  void settingsAreCheckedAndEachChangeIsAudited() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String settings = lobby(eventId) + "/settings";

    HttpResponse<Buffer> invalid = api.send(HttpMethod.PUT, settings, ADMIN_KEY, new JsonObject()
        .put("mode", "sometimes").put("admissionRate", 0).put("ticketTtlSeconds", 1).put("colour", "red"));
    assertProblem(invalid, 422, "validation-failed");
    assertThat(invalid.bodyAsString()).contains("mode", "admissionRate", "ticketTtlSeconds", "colour");
    assertThat(api.get(settings, ADMIN_KEY).bodyAsJsonObject().getString("mode")).as("nothing changed")
        .isEqualTo("off");
    assertProblem(api.send(HttpMethod.PUT, settings, null, new JsonObject().put("mode", "off")), 401,
        "unauthorized");
    // an attendee's token is known, but not an organizer's key
    assertProblem(api.send(HttpMethod.PUT, settings, attendeeToken(), new JsonObject().put("mode", "off")),
        403, "forbidden");

    JsonObject saved = api.send(HttpMethod.PUT, settings, ADMIN_KEY, new JsonObject().put("mode", "always")
        .put("admissionRate", 30).put("admissionPer", "minute")).bodyAsJsonObject();
    assertThat(saved.getDouble("admissionRate")).isEqualTo(30.0);
    assertThat(saved.getString("admissionPer")).isEqualTo("minute");
    assertThat(api.post(lobby(eventId) + "/pause", ADMIN_KEY, null).statusCode()).isEqualTo(200);
    JsonArray audit = api.get("/api/audit?eventId=" + eventId, ADMIN_KEY).bodyAsJsonObject().getJsonArray("entries");
    assertThat(audit.stream().map(entry -> ((JsonObject) entry).getString("action")))
        .contains("lobby.settings.changed", "lobby.pause");
  }

  @Test
  void aPausedLineServesNobodyUntilResumedAndAForcedCloseLetsEveryoneIn() throws Exception {
    long eventId = calls.openLobby(new JsonObject().put("admissionRate", 1000));
    assertThat(api.post(lobby(eventId) + "/pause", ADMIN_KEY, null).bodyAsJsonObject().getBoolean("paused"))
        .isTrue();
    JsonObject waiting = calls.joinToWait(eventId);
    long servingWhenPaused = calls.state(eventId).getLong("serving");

    Thread.sleep(500);
    assertThat(calls.state(eventId).getLong("serving")).as("paused").isEqualTo(servingWhenPaused);
    JsonObject line = api.get("/api/lobbies", ADMIN_KEY).bodyAsJsonObject().getJsonArray("lines").stream()
        .map(JsonObject.class::cast).filter(each -> each.getLong("eventId") == eventId).findFirst().orElseThrow();
    assertThat(line.getLong("waiting")).as("the operators' view of the line").isEqualTo(1);
    assertThat(line.getBoolean("paused")).isTrue();
    assertProblem(api.get("/api/lobbies", null), 401, "unauthorized");
    assertProblem(calls.exchange(eventId, waiting.getString("ticket")), 409, "not-your-turn");

    api.post(lobby(eventId) + "/resume", ADMIN_KEY, null);
    await().atMost(5, SECONDS).until(() -> calls.exchange(eventId, waiting.getString("ticket")).statusCode() == 200);

    api.post(lobby(eventId) + "/pause", ADMIN_KEY, null);
    JsonObject stranded = calls.joinToWait(eventId);
    api.post(lobby(eventId) + "/close", ADMIN_KEY, null);
    await().atMost(5, SECONDS).until(() -> !calls.state(eventId).getBoolean("open"));
    assertThat(calls.exchange(eventId, stranded.getString("ticket")).statusCode()).as("served at the close")
        .isEqualTo(200);
    assertThat(api.post(lobby(eventId), null, null).statusCode()).as("joins go ahead").isEqualTo(200);
    assertThat(register(eventId, "after-close@example.org", null).statusCode()).isEqualTo(201);
  }

  @Test
  void aFullLineAndTooManyJoinsAreRefusedWithWhenToRetry() throws Exception {
    long eventId = calls.openLobby(new JsonObject().put("maxQueue", 2).put("admissionRate", 1));
    api.post(lobby(eventId) + "/pause", ADMIN_KEY, null);
    calls.joinToWait(eventId);
    calls.joinToWait(eventId);

    await().atMost(5, SECONDS).until(() -> api.post(lobby(eventId), null, null).statusCode() == 503);
    HttpResponse<Buffer> full = api.post(lobby(eventId), null, null);
    assertProblem(full, 503, "lobby-full");
    assertThat(full.getHeader("Retry-After")).isNotNull();

    long other = api.createEvent(new JsonObject());
    JsonObject byEmail = new JsonObject().put("email", TestServices.unique("greedy") + "@example.org");
    for (int i = 0; i < 5; i++) {
      assertThat(api.post(lobby(other), null, byEmail).statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> limited = api.post(lobby(other), null, byEmail);
    assertProblem(limited, 429, "rate-limited");
    assertThat(limited.getHeader("Retry-After")).isNotNull();
  }

  @Test
  void anUnknownEventHasNoLobby() throws Exception {
    assertProblem(api.post(lobby(424_242_424), null, null), 404, "not-found");
    assertProblem(api.get(lobby(424_242_424), null), 404, "not-found");
  }

  // ---- helpers ----

  /** An attendee token, of an event of its own whose lobby is closed. */
  private static String attendeeToken() throws Exception {
    long closed = api.createEvent(new JsonObject());
    return calls.register(closed, TestServices.unique("attendee") + "@example.org").bodyAsJsonObject()
        .getString("token");
  }

  private static String sign(String secret, JsonObject claims) {
    return LobbyCalls.signedAsNode(signing, secret, claims);
  }

  /** A registration, with the lobby's admission when there is one. */
  private static HttpResponse<Buffer> register(long eventId, String email, String admission) throws Exception {
    return admission == null ? calls.register(eventId, email) : calls.register(eventId, email, admission);
  }
}
