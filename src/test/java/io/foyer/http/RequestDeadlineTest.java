package io.foyer.http;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every /api request gets an answer: when nothing answered it in time, 503 unavailable, and nothing twice. */
class RequestDeadlineTest {

  private static final int DEADLINE_SECONDS = 2;

  private static FoyerApp node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of("FOYER_HTTP_REQUEST_TIMEOUT_SECONDS", String.valueOf(DEADLINE_SECONDS)));
    api = new Api(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    await(node.stop());
  }

  @Test
  void aRegistrationStuckBehindALockIsAnswered503InTimeAndItsLateCompletionHarmsNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 10));
    String path = "/api/events/" + eventId + "/registrations";
    HttpResponse<Buffer> stuck;
    long elapsedMillis;
    try (Connection locker = jdbc(); Statement statement = locker.createStatement()) {
      locker.setAutoCommit(false);
      // the writer's batch waits for this lock for as long as the test holds it
      statement.execute("LOCK TABLE event_seats IN ACCESS EXCLUSIVE MODE");
      long start = System.nanoTime();

      stuck = api.post(path, null, Api.attendee("stuck@example.org"));

      elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(countRegistrations(eventId)).as("nothing committed while the lock is held").isZero();
      locker.rollback();
    }

    assertProblem(stuck, 503, "unavailable");
    assertThat(stuck.getHeader("Retry-After")).isEqualTo("1");
    assertThat(elapsedMillis).isBetween(DEADLINE_SECONDS * 1000L - 200, DEADLINE_SECONDS * 1000L + 5000);
    // the lock released, the accepted row is written after all (the 503 said: retry), and a retry finds it
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> countRegistrations(eventId) == 1);
    HttpResponse<Buffer> retry = api.post(path, null, Api.attendee("stuck@example.org"));
    assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
    assertThat(retry.bodyAsJsonObject().getBoolean("alreadyRegistered")).isTrue();
    HttpResponse<Buffer> next = api.post(path, null, Api.attendee("next@example.org"));
    assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(201);
    assertThat(countRegistrations(eventId)).isEqualTo(2);
  }

  private static long countRegistrations(long eventId) throws Exception {
    return await(node.store().pool().preparedQuery("SELECT count(*) FROM registrations WHERE event_id = $1")
        .execute(Tuple.of(eventId))).iterator().next().getLong(0);
  }

  private static Connection jdbc() throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(TestServices.pgUrl());
    return DriverManager.getConnection("jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/"
        + options.getDatabase(), options.getUser(), options.getPassword());
  }
}
