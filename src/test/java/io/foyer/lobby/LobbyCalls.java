package io.foyer.lobby;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.Api;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/**
 * The lobby's HTTP calls against one node, as a waiting browser (join, renew, exchange) and an organizer (settings,
 * state, pause and resume) make them: what the line tests observe, and nothing else.
 */
final class LobbyCalls {

  private final Api api;

  LobbyCalls(Api api) {
    this.api = api;
  }

  /** A new event with these lobby settings saved by its organizer. */
  long eventWithLobby(JsonObject settings) throws Exception {
    long eventId = api.createEvent(new JsonObject());
    HttpResponse<Buffer> saved = api.send(HttpMethod.PUT, lobby(eventId) + "/settings", ADMIN_KEY, settings);
    assertThat(saved.statusCode()).as(saved.bodyAsString()).isEqualTo(200);
    return eventId;
  }

  HttpResponse<Buffer> join(long eventId) throws Exception {
    return await(joinAsync(eventId));
  }

  Future<HttpResponse<Buffer>> joinAsync(long eventId) {
    return api.client().post(lobby(eventId)).send();
  }

  /** A join the lobby answers with a place in line (202); its body. */
  JsonObject joinToWait(long eventId) throws Exception {
    HttpResponse<Buffer> joined = join(eventId);
    assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(202);
    return joined.bodyAsJsonObject();
  }

  /** The heartbeat: a ticket's status, with the ticket renewed. */
  HttpResponse<Buffer> renew(long eventId, String ticket) throws Exception {
    return await(api.client().get(lobby(eventId)).putHeader(LobbyRoutes.TICKET_HEADER, ticket).send());
  }

  HttpResponse<Buffer> exchange(long eventId, String ticket) throws Exception {
    return api.post(lobby(eventId) + "/admission", null, new JsonObject().put("ticket", ticket));
  }

  /** What a client without a ticket sees: open, serving, waiting. */
  JsonObject line(long eventId) throws Exception {
    return api.get(lobby(eventId), null).bodyAsJsonObject();
  }

  /** The organizer's view: open, paused, issued, serving, driver. */
  JsonObject state(long eventId) throws Exception {
    HttpResponse<Buffer> state = api.get(lobby(eventId) + "/state", ADMIN_KEY);
    assertThat(state.statusCode()).as(state.bodyAsString()).isEqualTo(200);
    return state.bodyAsJsonObject();
  }

  /** A registration without an admission token, as a client that never heard of the lobby sends it. */
  HttpResponse<Buffer> register(long eventId, String email) throws Exception {
    return api.post("/api/events/" + eventId + "/registrations", null, Api.attendee(email));
  }

  /** pause, resume, open or close, as the organizer. */
  void control(long eventId, String action) throws Exception {
    HttpResponse<Buffer> done = api.post(lobby(eventId) + "/" + action, ADMIN_KEY, null);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
  }

  static String lobby(long eventId) {
    return "/api/events/" + eventId + "/lobby";
  }
}
