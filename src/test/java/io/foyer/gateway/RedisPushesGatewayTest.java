package io.foyer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TcpProxy;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway with pushes carried by Redis pub/sub (cluster.pushes=redis), as nodes of one cluster per region
 * run it: the whole gateway contract, and nodes that share only Redis (no event bus between them, as two
 * clusters) getting each other's pushes live.
 */
class RedisPushesGatewayTest extends GatewayContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_REDIS_URL", TestServices.redisUrl(), "FOYER_CLUSTER_PUSHES", "redis");
  }

  @Test
  void aPushPublishedOnOneNodeReachesSocketsOnANodeThatSharesOnlyRedis() throws Exception {
    FoyerApp other = start(Map.of());
    Api otherApi = track(new Api(other.httpPort()));
    long eventId = api.createEvent(new JsonObject());
    WsClient here = subscribed(eventId, "here@example.org", "event:" + eventId, null);
    WsClient there = subscribedOn(other, eventId, "there@example.org");

    announce(eventId, "from the first node");

    assertThat(bodyOf(there.next(GatewayContract::isMessage))).isEqualTo("from the first node");
    assertThat(bodyOf(here.next(GatewayContract::isMessage))).isEqualTo("from the first node");
    assertNothingElseArrivesBeforeAnotherAnnouncement(otherApi, eventId, here, there);
  }

  @Test
  void aNodeThatLostItsRedisConnectionCatchesUpOnWhatWasPublishedMeanwhile() throws Exception {
    try (TcpProxy link = TcpProxy.to(TestServices.redisUrl())) {
      FoyerApp remote = start(Map.of("FOYER_REDIS_URL", link.through(TestServices.redisUrl())));
      long eventId = api.createEvent(new JsonObject());
      WsClient there = subscribedOn(remote, eventId, "far@example.org");
      announce(eventId, "before the cut");
      assertThat(bodyOf(there.next(GatewayContract::isMessage))).isEqualTo("before the cut");

      link.cut();
      announce(eventId, "during the cut");
      Thread.sleep(1500);
      link.restore();

      // no later announcement shows the gap: the node catches up when its pub/sub connection is back
      assertThat(bodyOf(there.next(GatewayContract::isMessage))).isEqualTo("during the cut");
      assertNothingElseArrivesBeforeAnotherAnnouncement(eventId, there);
    }
  }

  /** An attendee registered through the default node, subscribed to the event's topic on the given node. */
  private WsClient subscribedOn(FoyerApp other, long eventId, String email) throws Exception {
    WsClient ws = track(WsClient.connect(other.httpPort(), register(eventId, email).getString("token")));
    ws.next("welcome");
    assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    return ws;
  }
}
