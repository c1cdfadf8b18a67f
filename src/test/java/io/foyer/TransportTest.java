package io.foyer;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.config.ConfigException;
import io.foyer.config.ConfigLoader;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * node.transport: a node on each transport this machine offers registers an attendee and pushes to its
 * WebSocket (the rest of the suite runs on the default, epoll where it loads, so NIO is covered here).
 */
class TransportTest {

  @ParameterizedTest
  @ValueSource(strings = {"nio", "epoll", "io_uring"})
  void aNodeOnEachTransportServesRegistrationsAndPushes(String transport) throws Exception {
    FoyerApp node = TestNodes.start(Map.of("FOYER_NODE_TRANSPORT", transport));
    try (Api api = new Api(node.httpPort())) {
      assertThat(node.vertx().isNativeTransportEnabled()).isEqualTo(!transport.equals("nio"));
      long eventId = api.createEvent(new JsonObject());
      String token = api.post("/api/events/" + eventId + "/registrations", null, Api.attendee("t@example.org"))
          .bodyAsJsonObject().getString("token");
      try (WsClient ws = WsClient.connect(node.httpPort(), token)) {
        ws.next("welcome");
        ws.subscribe("event:" + eventId, null);
        api.post("/api/events/" + eventId + "/announcements", TestNodes.ADMIN_KEY, new JsonObject().put("body", "hi"));
        assertThat(ws.next("message").getJsonObject("data").getString("body")).isEqualTo("hi");
      }
    } finally {
      await(node.stop());
    }
  }

  @Test
  void anUnknownTransportIsRefusedByName() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_NODE_TRANSPORT", "carrier-pigeon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node.transport")
        .hasMessageContaining("must be one of auto, epoll, io_uring, nio");
  }
}
