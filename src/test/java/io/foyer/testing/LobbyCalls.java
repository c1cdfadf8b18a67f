package io.foyer.testing;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.lobby.LobbyRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * The lobby's HTTP calls against one node, as a waiting browser (join, renew, exchange, register) and an organizer
 * (settings, state, pause and resume) make them, for the lobby's tests.
 */
public final class LobbyCalls {

  private final Api api;

  public LobbyCalls(Api api) {
    this.api = api;
  }

  /** A new event with these lobby settings saved by its organizer. */
  public long eventWithLobby(JsonObject settings) throws Exception {
    long eventId = api.createEvent(new JsonObject());
    HttpResponse<Buffer> saved = api.send(HttpMethod.PUT, lobby(eventId) + "/settings", ADMIN_KEY, settings);
    assertThat(saved.statusCode()).as(saved.bodyAsString()).isEqualTo(200);
    return eventId;
  }

  public HttpResponse<Buffer> join(long eventId) throws Exception {
    return await(joinAsync(eventId));
  }

  public Future<HttpResponse<Buffer>> joinAsync(long eventId) {
    return api.client().post(lobby(eventId)).send();
  }

  /** A join the lobby answers with a place in line (202); its body. */
  public JsonObject joinToWait(long eventId) throws Exception {
    HttpResponse<Buffer> joined = join(eventId);
    assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(202);
    return joined.bodyAsJsonObject();
  }

  /** The heartbeat: a ticket's status, with the ticket renewed. */
  public HttpResponse<Buffer> renew(long eventId, String ticket) throws Exception {
    return await(api.client().get(lobby(eventId)).putHeader(LobbyRoutes.TICKET_HEADER, ticket).send());
  }

  public HttpResponse<Buffer> exchange(long eventId, String ticket) throws Exception {
    return api.post(lobby(eventId) + "/admission", null, new JsonObject().put("ticket", ticket));
  }

  /** What a client without a ticket sees: open, serving, waiting. */
  public JsonObject line(long eventId) throws Exception {
    return api.get(lobby(eventId), null).bodyAsJsonObject();
  }

  /** The organizer's view: open, paused, issued, serving, driver. */
  public JsonObject state(long eventId) throws Exception {
    HttpResponse<Buffer> state = api.get(lobby(eventId) + "/state", ADMIN_KEY);
    assertThat(state.statusCode()).as(state.bodyAsString()).isEqualTo(200);
    return state.bodyAsJsonObject();
  }

  /** A registration without an admission token, as a client that never heard of the lobby sends it. */
  public HttpResponse<Buffer> register(long eventId, String email) throws Exception {
    return api.post("/api/events/" + eventId + "/registrations", null, Api.attendee(email));
  }

  /** A registration carrying the lobby's admission token. */
  public HttpResponse<Buffer> register(long eventId, String email, String admission) throws Exception {
    return await(api.client().post("/api/events/" + eventId + "/registrations")
        .putHeader("Content-Type", "application/json").putHeader("Foyer-Admission", admission)
        .sendBuffer(Buffer.buffer(Api.attendee(email).encode())));
  }

  /** A new event whose lobby is always open (these settings besides), once the driving node has opened it. */
  public long openLobby(JsonObject settings) throws Exception {
    long eventId = eventWithLobby(settings.copy().put("mode", "always"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> line(eventId).getBoolean("open"));
    return eventId;
  }

  /** Claims signed as a Foyer node with that secret signs its tokens (with another secret: a forgery). */
  public static String signedAsNode(Vertx vertx, String secret, JsonObject claims) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setIssuer("foyer")
        .setNoTimestamp(true));
  }

  /** pause, resume, open or close, as the organizer. */
  public void control(long eventId, String action) throws Exception {
    HttpResponse<Buffer> done = api.post(lobby(eventId) + "/" + action, ADMIN_KEY, null);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
  }

  public static String lobby(long eventId) {
    return "/api/events/" + eventId + "/lobby";
  }
}
