package io.foyer.gateway;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A presenter's socket: its event's topic, results and sessions, never an attendee's topic, a lobby or another event. */
class PresenterSocketTest {

  private static FoyerApp node;
  private static Api api;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of("FOYER_LIVE_ENGINE", "memory"));
    api = new Api(node.httpPort());
  }

  @AfterEach
  void closeClients() throws Exception {
    for (WsClient client : clients) {
      client.close();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    await(node.stop());
  }

  @Test
  void aPresenterTokenSaysHelloAsAPresenterOfItsEvent() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    JsonObject token = api.issuePresenterToken(eventId, sessionId);

    WsClient ws = client(null);
    String id = ws.send(new JsonObject().put("type", "hello").put("v", 1).put("token", token.getString("token")));
    JsonObject welcome = ws.next("welcome");

    assertThat(welcome.getString("re")).isEqualTo(id);
    assertThat(welcome.getString("role")).isEqualTo("presenter");
    assertThat(welcome.getLong("eventId")).isEqualTo(eventId);
    assertThat(welcome.getLong("sessionId")).isEqualTo(sessionId);
    assertThat(welcome.getJsonArray("topics")).containsExactly("event:" + eventId, "session:" + sessionId);
  }

  @Test
  void anEventWidePresenterSubscribesToItsEventAndSessionsOnly() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    long otherEvent = api.createEvent(new JsonObject());
    long otherEventSession = api.createSession(otherEvent);
    String attendee = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee("in-the-audience@example.org")).bodyAsJsonObject().getString("id");
    WsClient ws = client(api.issuePresenterToken(eventId, null).getString("token"));
    ws.next("welcome");

    assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    assertThat(ws.subscribe("session:" + sessionId, null).getString("type")).isEqualTo("subscribed");
    assertThat(ws.subscribe("results:" + eventId, null).getString("type")).isEqualTo("subscribed");
    assertForbidden(ws.subscribe("results:" + otherEvent, null));
    assertForbidden(ws.subscribe("attendee:" + attendee, null));
    assertForbidden(ws.subscribe("lobby:" + eventId, null));
    assertForbidden(ws.subscribe("event:" + otherEvent, null));
    assertForbidden(ws.subscribe("session:" + otherEventSession, null));

    assertThat(api.post("/api/events/" + eventId + "/announcements", ADMIN_KEY,
        new JsonObject().put("body", "doors open")).statusCode()).isEqualTo(201);
    JsonObject message = ws.next("message");
    assertThat(message.getString("topic")).isEqualTo("event:" + eventId);
  }

  @Test
  void aSessionPresenterSubscribesToItsSessionAndEventButNoOtherSession() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    long otherSession = api.createSession(eventId);
    WsClient ws = client(api.issuePresenterToken(eventId, sessionId).getString("token"));
    ws.next("welcome");

    assertThat(ws.subscribe("session:" + sessionId, null).getString("type")).isEqualTo("subscribed");
    assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    assertForbidden(ws.subscribe("session:" + otherSession, null));
  }

  @Test
  void aRevokedPresenterTokenCannotOpenASocket() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject token = api.issuePresenterToken(eventId, null);
    assertThat(api.delete("/api/events/" + eventId + "/presenter-tokens/" + token.getString("id"), ADMIN_KEY)
        .statusCode()).isEqualTo(204);

    WsClient ws = client(null);
    ws.send(new JsonObject().put("type", "hello").put("v", 1).put("token", token.getString("token")));

    assertThat(ws.next("error").getString("code")).isEqualTo("unauthorized");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.closeCode() != null);
    assertThat(ws.closeCode()).isEqualTo((short) 4001);
  }

  private WsClient client(String token) throws Exception {
    WsClient ws = WsClient.connect(node.httpPort(), token);
    clients.add(ws);
    return ws;
  }

  private static void assertForbidden(JsonObject reply) {
    assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("error");
    assertThat(reply.getString("code")).isEqualTo("forbidden");
  }
}
