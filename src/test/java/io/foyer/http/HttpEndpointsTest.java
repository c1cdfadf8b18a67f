package io.foyer.http;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What operators and clients see over HTTP from a running node on real PostgreSQL and Redis. */
class HttpEndpointsTest {

  private static FoyerApp node;
  private static Vertx clientVertx;
  private static WebClient client;

  @BeforeAll
  static void startNode() throws Exception {
    node = TestNodes.start(Map.of("FOYER_HTTP_MAX_BODY_BYTES", "2048", "FOYER_REDIS_URL", TestServices.redisUrl(),
        "FOYER_NODE_REGION", "test-region"));
    clientVertx = Vertx.vertx();
    client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.httpPort()));
  }

  @AfterAll
  static void stopNode() throws Exception {
    client.close();
    await(clientVertx.close());
    await(node.stop());
  }

  @Test
  void readinessIsUpWhenPostgresAndRedisAnswer() throws Exception {
    HttpResponse<Buffer> response = await(client.get("/health/ready").send());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonArray("checks").encode()).contains("\"postgres\"").contains("\"live-redis\"");
  }

  @Test
  void livenessNamesTheNodeAndItsRegion() throws Exception {
    JsonObject body = await(client.get("/health/live").send()).bodyAsJsonObject();

    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getString("node")).isEqualTo(node.nodeId());
    assertThat(body.getString("region")).isEqualTo("test-region");
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    await(client.get("/health/live").send()); // so that HTTP server metrics exist
    HttpResponse<Buffer> response = await(client.get("/metrics").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(response.bodyAsString())
        .contains("# TYPE jvm_memory_used_bytes gauge")
        .contains("vertx_http_server_requests_total")
        .contains("node=\"" + node.nodeId() + "\"");
  }

  @Test
  void anUnknownPathIsAProblemJson404() throws Exception {
    HttpResponse<Buffer> response = await(client.get("/api/no-such-thing").send());

    assertProblem(response, 404, "urn:foyer:problem:not-found");
    assertThat(response.bodyAsJsonObject().getString("instance")).isEqualTo("/api/no-such-thing");
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413() throws Exception {
    HttpResponse<Buffer> response = await(client.post("/api/").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"x\":\"" + "a".repeat(5000) + "\"}")));

    assertProblem(response, 413, "urn:foyer:problem:payload-too-large");
  }

  @Test
  void aWrongMethodIsAProblemJson405() throws Exception {
    HttpResponse<Buffer> response = await(client.delete("/health/live").send());

    assertProblem(response, 405, "urn:foyer:problem:method-not-allowed");
  }

  @Test
  void theApiRootTellsTheVersionAndNode() throws Exception {
    JsonObject body = await(client.get("/api/").send()).bodyAsJsonObject();

    assertThat(body.getString("name")).isEqualTo("foyer");
    assertThat(body.getString("version")).isNotBlank().isNotEqualTo("unknown");
    assertThat(body.getString("node")).isEqualTo(node.nodeId());
  }

  @Test
  void theWebrootIndexIsServed() throws Exception {
    HttpResponse<Buffer> response = await(client.get("/").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/html");
    assertThat(response.bodyAsString()).contains("<h1>Foyer</h1>");
  }

  @Test
  void everyStartIsRecordedInTheStore() throws Exception {
    long starts = await(node.store().pool().preparedQuery("SELECT count(*) FROM node_starts WHERE node_id = $1")
        .execute(Tuple.of(node.nodeId()))).iterator().next().getLong(0);

    assertThat(starts).isEqualTo(1);
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String type) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo(type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
  }
}
