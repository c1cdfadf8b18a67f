package io.foyer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway on the Redis engine, as every node of a cluster runs it. */
class RedisGatewayTest extends GatewayContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_REDIS_URL", TestServices.redisUrl());
  }

  @Test
  void aClientMayResumeOnAnotherNodeOfTheSameDeployment() throws Exception {
    FoyerApp other = start(Map.of());
    long eventId = api.createEvent(new JsonObject());
    String token = register(eventId, "roam@example.org").getString("token");
    WsClient first = client(token);
    first.next("welcome");
    first.subscribe("event:" + eventId, null);
    announce(eventId, "before");
    long seen = first.next("message").getLong("seq");
    first.close();
    clients.remove(first);
    announce(eventId, "while away");

    WsClient second = track(WsClient.connect(other.httpPort(), token));
    second.next("welcome");
    second.subscribe("event:" + eventId, seen);

    assertThat(second.next("message").getJsonObject("data").getString("body")).isEqualTo("while away");
    // announced on the node the client resumed on: these test nodes share Redis, not an event bus
    assertNothingElseArrivesBeforeAnotherAnnouncement(track(new Api(other.httpPort())), eventId, second);
  }
}

