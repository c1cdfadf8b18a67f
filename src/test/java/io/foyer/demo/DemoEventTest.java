package io.foyer.demo;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The demo event of a first start, on a database of its own (the shared test database has events): created when
 * there is no event, with what the pages need to show, logged with its addresses; never on an external database;
 * never twice.
 */
class DemoEventTest {

  static FoyerApp app;
  static Api api;

  @BeforeAll
  static void start() throws Exception {
    app = TestNodes.start(Map.of("FOYER_PG_URL", TestServices.freshPgUrl()));
    api = new Api(app.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (app != null) await(app.stop());
  }

  @Test
  void aFirstStartOnTheEmbeddedDatabaseGetsOneDemoEvent() throws Exception {
    // this node runs on an external PostgreSQL (FOYER_PG_URL): its start seeded nothing, nor does asking again
    assertThat(events()).isEmpty();
    await(DemoEvent.onStart(app.vertx(), app.store().pool(), false, "http://localhost:8080"));
    assertThat(events()).isEmpty();

    // as on the embedded database: the demo is created and its three addresses logged, one line each
    List<String> logged = logged(() -> await(DemoEvent.onStart(app.vertx(), app.store().pool(), true,
        "http://localhost:8080")));
    JsonArray events = events();
    assertThat(events).hasSize(1);
    long eventId = events.getJsonObject(0).getLong("id");
    assertThat(logged).hasSize(3);
    assertThat(logged.get(0)).endsWith("http://localhost:8080/e/" + eventId);
    assertThat(logged.get(1)).endsWith("http://localhost:8080/present/" + eventId);
    assertThat(logged.get(2)).endsWith("http://localhost:8080/ops");

    JsonObject event = ok(api.get("/api/events/" + eventId, null));
    assertThat(event.getString("title")).isEqualTo("Foyer demo: product launch");
    assertThat(event.getString("defaultLanguage")).isEqualTo("en");
    assertThat(event.getInteger("capacity")).isEqualTo(500);
    assertThat(event.getJsonObject("registration").getBoolean("open")).isTrue();
    assertThat(Instant.parse(event.getString("startsAt"))).isBefore(Instant.now().plusSeconds(60));
    assertThat(Instant.parse(event.getString("endsAt"))).isAfter(Instant.now().plus(Duration.ofDays(2)));
    assertThat(event.getJsonArray("fields").stream().map(f -> ((JsonObject) f).getString("id") + ":"
        + ((JsonObject) f).getString("type") + ":" + ((JsonObject) f).getBoolean("required")))
        .containsExactly("company:text:false", "role:single_choice:true", "newsletter:consent:false");
    assertThat(ok(api.get("/api/events/" + eventId + "/sessions", null)).getJsonArray("sessions")).hasSize(2);

    JsonArray polls = ok(api.get("/api/events/" + eventId + "/polls", ADMIN_KEY)).getJsonArray("polls");
    assertThat(polls).hasSize(2);
    JsonObject choice = polls.getJsonObject(0);
    assertThat(choice.getString("kind")).isEqualTo("single_choice");
    assertThat(choice.getString("status")).isEqualTo("draft");
    assertThat(choice.getJsonObject("translations").fieldNames()).containsExactlyInAnyOrder("nl", "de", "fr", "it", "pl");
    assertThat(choice.getJsonArray("options")).allSatisfy(option -> assertThat(
        ((JsonObject) option).getJsonObject("translations").fieldNames()).hasSize(5));
    assertThat(polls.getJsonObject(1).getString("kind")).isEqualTo("word_cloud");
    assertThat(polls.getJsonObject(1).getString("status")).isEqualTo("draft");

    JsonArray quizzes = ok(api.get("/api/events/" + eventId + "/quizzes", ADMIN_KEY)).getJsonArray("quizzes");
    assertThat(quizzes).hasSize(1);
    assertThat(quizzes.getJsonObject(0).getString("status")).isEqualTo("draft");
    assertThat(quizzes.getJsonObject(0).getJsonArray("questions")).hasSize(3)
        .allSatisfy(q -> assertThat(((JsonObject) q).getInteger("timeLimitSeconds")).isEqualTo(20));

    // made as an organizer would, and audited so
    JsonArray audit = ok(api.get("/api/audit?eventId=" + eventId, ADMIN_KEY)).getJsonArray("entries");
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("actor"))).isNotEmpty().containsOnly("demo");

    // an attendee can register with its form at once
    HttpResponse<Buffer> registered = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee("ada@example.org").put("answers", new JsonObject().put("role", "Developer")));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);

    // and never a second time
    assertThat(await(DemoEvent.seedIfEmpty(app.vertx(), app.store().pool()))).isEqualTo(Optional.empty());
    assertThat(logged(() -> await(DemoEvent.onStart(app.vertx(), app.store().pool(), true,
        "http://localhost:8080")))).isEmpty();
    assertThat(events()).hasSize(1);
  }

  private static JsonArray events() throws Exception {
    return ok(api.get("/api/events", ADMIN_KEY)).getJsonArray("events");
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private interface Step {
    void run() throws Exception;
  }

  /** What DemoEvent logs at INFO while the step runs. */
  private static List<String> logged(Step step) throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(DemoEvent.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      step.run();
    } finally {
      logger.detachAppender(appender);
    }
    return appender.list.stream().filter(e -> e.getLevel().toString().equals("INFO"))
        .map(ILoggingEvent::getFormattedMessage).toList();
  }
}
