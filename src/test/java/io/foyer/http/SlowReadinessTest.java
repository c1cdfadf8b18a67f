package io.foyer.http;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.TcpProxy;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Readiness under load and with a slow server. A probe has a connection of its own to PostgreSQL and to Redis: a
 * node whose work pool is busy (a connect storm) stays ready, where a probe queued behind the work had it marked
 * DOWN and its balancer cut every socket. A server that does answer late is DOWN once, and the late answer must
 * not complete the check a second time (that was an "Unhandled exception ... already complete" on the event loop).
 */
class SlowReadinessTest {

  @Test
  void aNodeWhosePoolIsBusyStaysReady() throws Exception {
    FoyerApp node = TestNodes.start(Map.of("FOYER_PG_POOL_SIZE", "1", "FOYER_HTTP_INSTANCES", "1"));
    Vertx clientVertx = Vertx.vertx();
    WebClient client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.httpPort()));
    try {
      // the pool's only connection is busy for 3 s: all work waits, the probe does not
      Future<?> busy = node.store().pool().query("SELECT pg_sleep(3)").execute();
      Thread.sleep(200);

      HttpResponse<Buffer> response = await(client.get("/health/ready").send());

      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      await(busy);
    } finally {
      client.close();
      await(clientVertx.close());
      await(node.stop());
    }
  }

  @Test
  void aProbeAnsweringAfterTheTimeOutIsDownAndCompletesTheCheckOnlyOnce() throws Exception {
    try (TcpProxy redis = TcpProxy.to(TestServices.redisUrl())) {
      FoyerApp node = TestNodes.start(Map.of("FOYER_REDIS_URL", redis.through(TestServices.redisUrl()),
          "FOYER_HTTP_INSTANCES", "1"));
      List<Throwable> unhandled = new CopyOnWriteArrayList<>();
      node.vertx().exceptionHandler(unhandled::add);
      Vertx clientVertx = Vertx.vertx();
      WebClient client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(node.httpPort()));
      try {
        // Redis stops answering: the check's PING answers once released, after the check's time-out
        redis.hold();
        HttpResponse<Buffer> response = await(client.get("/health/ready").send());
        Thread.sleep(500);
        redis.release();
        await(node.live().ping());
        Thread.sleep(300);

        assertThat(unhandled).isEmpty();
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
        JsonObject live = response.bodyAsJsonObject().getJsonArray("checks").stream()
            .map(JsonObject.class::cast).filter(check -> "live-redis".equals(check.getString("id"))).findFirst()
            .orElseThrow();
        assertThat(live.getString("status")).isEqualTo("DOWN");
        assertThat(live.getJsonObject("data").getString("error")).contains("2000 ms");
        assertThat(await(client.get("/health/ready").send()).statusCode()).isEqualTo(200);
      } finally {
        client.close();
        await(clientVertx.close());
        await(node.stop());
      }
    }
  }
}
