package io.foyer.http;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.TestNodes;
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
 * A readiness check whose probe answers only after the check's time-out, as PostgreSQL or Redis do when a busy
 * node's pools are queued up (reconnect churn). The check must say DOWN once, and the late answer must not
 * complete its result a second time (that was an "Unhandled exception ... already complete" on the event loop).
 */
class SlowReadinessTest {

  @Test
  void aProbeAnsweringAfterTheTimeOutIsDownAndCompletesTheCheckOnlyOnce() throws Exception {
    FoyerApp node = TestNodes.start(Map.of("FOYER_PG_POOL_SIZE", "1", "FOYER_HTTP_INSTANCES", "1"));
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    node.vertx().exceptionHandler(unhandled::add);
    Vertx clientVertx = Vertx.vertx();
    WebClient client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.httpPort()));
    try {
      // the pool's only connection is busy for 3 s, so the check's SELECT 1 answers about 1 s after its time-out
      Future<?> busy = node.store().pool().query("SELECT pg_sleep(3)").execute();
      Thread.sleep(200);

      HttpResponse<Buffer> response = await(client.get("/health/ready").send());

      await(busy);
      // the pool serves in order: once this answers, the late SELECT 1 of the check has answered too
      await(node.store().pool().query("SELECT 1").execute());
      Thread.sleep(300);
      assertThat(unhandled).isEmpty();
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
      JsonObject postgres = response.bodyAsJsonObject().getJsonArray("checks").stream()
          .map(JsonObject.class::cast).filter(check -> "postgres".equals(check.getString("id"))).findFirst()
          .orElseThrow();
      assertThat(postgres.getString("status")).isEqualTo("DOWN");
      assertThat(postgres.getJsonObject("data").getString("error")).contains("2000 ms");

      assertThat(await(client.get("/health/ready").send()).statusCode()).isEqualTo(200);
    } finally {
      client.close();
      await(clientVertx.close());
      await(node.stop());
    }
  }
}
