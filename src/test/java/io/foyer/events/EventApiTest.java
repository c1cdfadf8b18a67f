package io.foyer.events;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.SCOPED_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Organizers create and change events and sessions; every change is checked and audited. */
class EventApiTest {

  private static FoyerApp node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of());
    api = new Api(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    await(node.stop());
  }

  @Test
  void anOrganizerCreatesAnEventThatAnyoneCanRead() throws Exception {
    JsonObject definition = Api.event(new JsonObject().put("capacity", 50)
        .put("fields", new JsonArray().add(new JsonObject().put("id", "company").put("label", "Company")
            .put("type", "text").put("required", true))));

    HttpResponse<Buffer> created = api.post("/api/events", ADMIN_KEY, definition);

    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject event = created.bodyAsJsonObject();
    assertThat(created.getHeader("Location")).isEqualTo("/api/events/" + event.getLong("id"));
    assertThat(event.getString("title")).isEqualTo(definition.getString("title"));
    assertThat(event.getString("timeZone")).isEqualTo("Europe/Paris");
    JsonObject publicView = api.get("/api/events/" + event.getLong("id"), null).bodyAsJsonObject();
    assertThat(publicView.getJsonArray("fields").getJsonObject(0).getString("id")).isEqualTo("company");
    assertThat(publicView.getJsonObject("registration").getBoolean("open")).isTrue();
    assertThat(publicView.getJsonObject("registration").getInteger("seatsLeft")).isEqualTo(50);
  }

  @Test
  void withoutAValidKeyNothingIsCreated() throws Exception {
    long before = count("events");

    assertProblem(api.post("/api/events", null, Api.event(new JsonObject())), 401, "unauthorized");
    assertProblem(api.post("/api/events", "not-a-key-at-all", Api.event(new JsonObject())), 401, "unauthorized");
    assertProblem(api.post("/api/events", SCOPED_KEY, Api.event(new JsonObject())), 403, "forbidden");

    assertThat(count("events")).isEqualTo(before);
  }

  @Test
  void aKeyScopedToOneEventCannotTouchAnother() throws Exception {
    long eventId = api.createEvent(new JsonObject());

    assertProblem(api.patch("/api/events/" + eventId, SCOPED_KEY, new JsonObject().put("title", "Mine now")), 403,
        "forbidden");
    assertThat(api.get("/api/events", SCOPED_KEY).bodyAsJsonObject().getJsonArray("events")).isEmpty();
    assertThat(api.get("/api/events/" + eventId, null).bodyAsJsonObject().getString("title")).isNotEqualTo("Mine now");
  }

  @Test
  void anInvalidEventNamesEveryBadFieldAndStoresNothing() throws Exception {
    long before = count("events");
    JsonObject bad = Api.event(new JsonObject()
        .put("endsAt", "2020-01-01T00:00:00Z")
        .put("timeZone", "Mars/Olympus")
        .put("defaultLanguage", "english please")
        .put("capacity", 0)
        .put("colour", "blue")
        .put("fields", new JsonArray().add(new JsonObject().put("id", "pick").put("type", "single_choice"))
            .add(new JsonObject().put("id", "ok").put("type", "text").put("required", "yes"))));

    HttpResponse<Buffer> response = api.post("/api/events", ADMIN_KEY, bad);

    assertProblem(response, 422, "validation-failed");
    List<String> fields = response.bodyAsJsonObject().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList();
    assertThat(fields).contains("timeZone", "defaultLanguage", "capacity", "colour", "fields[0].options", "endsAt",
        "fields[1].required");
    assertThat(count("events")).isEqualTo(before);
  }

  @Test
  void malformedRequestsGetTheirOwnProblemTypes() throws Exception {
    HttpResponse<Buffer> notJson = await(api.client().post("/api/events").bearerTokenAuthentication(ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"title\": ")));
    HttpResponse<Buffer> wrongType = await(api.client().post("/api/events").bearerTokenAuthentication(ADMIN_KEY)
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("title=x")));

    assertProblem(notJson, 400, "invalid-json");
    assertProblem(wrongType, 415, "unsupported-media-type");
    assertProblem(api.get("/api/events/424242424", null), 404, "not-found");
    assertProblem(api.get("/api/events/abc", null), 404, "not-found");
  }

  @Test
  void aPatchChangesOnlyWhatItNamesAndIsAudited() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("description", "kept"));

    HttpResponse<Buffer> patched = api.patch("/api/events/" + eventId, ADMIN_KEY,
        new JsonObject().put("title", "Renamed"));

    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(patched.bodyAsJsonObject().getString("title")).isEqualTo("Renamed");
    assertThat(patched.bodyAsJsonObject().getString("description")).isEqualTo("kept");
    JsonArray audit = api.get("/api/audit?eventId=" + eventId, ADMIN_KEY).bodyAsJsonObject().getJsonArray("entries");
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("action")).toList())
        .containsExactly("event.updated", "event.created");
    JsonObject latest = audit.getJsonObject(0);
    assertThat(latest.getString("actor")).isEqualTo("admin");
    assertThat(latest.getString("remoteAddress")).isEqualTo("127.0.0.1");
    assertThat(latest.getString("at")).isNotBlank();
    assertThat(latest.getJsonObject("details").getJsonArray("changed")).containsExactly("title");
  }

  @Test
  void aPatchThatBreaksTheEventIsRefusedAndChangesNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject());

    assertProblem(api.patch("/api/events/" + eventId, ADMIN_KEY,
        new JsonObject().put("endsAt", "2000-01-01T00:00:00Z")), 422, "validation-failed");

    assertThat(api.get("/api/events/" + eventId, null).bodyAsJsonObject().getString("endsAt"))
        .doesNotStartWith("2000");
  }

  @Test
  void sessionsArePlannedInTracksAndRooms() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject times = Api.event(new JsonObject());
    JsonObject keynote = new JsonObject().put("title", "Keynote").put("track", "Main").put("room", "Hall A")
        .put("streamUrl", "https://stream.example.org/keynote").put("language", "fr").put("capacity", 300)
        .put("startsAt", times.getString("startsAt")).put("endsAt", times.getString("endsAt"));

    HttpResponse<Buffer> created = api.post("/api/events/" + eventId + "/sessions", ADMIN_KEY, keynote);
    assertThat(created.statusCode()).isEqualTo(201);
    long sessionId = created.bodyAsJsonObject().getLong("id");
    api.patch("/api/events/" + eventId + "/sessions/" + sessionId, ADMIN_KEY, new JsonObject().put("room", "Hall B"));

    JsonArray sessions = api.get("/api/events/" + eventId + "/sessions", null).bodyAsJsonObject()
        .getJsonArray("sessions");
    assertThat(sessions).hasSize(1);
    assertThat(sessions.getJsonObject(0).getString("room")).isEqualTo("Hall B");
    assertThat(sessions.getJsonObject(0).getString("track")).isEqualTo("Main");
    assertThat(sessions.getJsonObject(0).getInteger("capacity")).isEqualTo(300);
    assertProblem(api.post("/api/events/" + eventId + "/sessions", ADMIN_KEY,
        keynote.copy().put("streamUrl", "ftp://nope")), 422, "validation-failed");
    assertProblem(api.post("/api/events/424242424/sessions", ADMIN_KEY, keynote), 404, "not-found");
  }

  @Test
  void withoutRegionsAnEventLivesInTheNodesRegionAndNoOtherCanBeNamed() throws Exception {
    JsonObject event = api.post("/api/events", ADMIN_KEY, Api.event(new JsonObject())).bodyAsJsonObject();
    long events = count("events");

    assertThat(event.getString("homeRegion")).isEqualTo("local");
    assertThat(api.post("/api/events", ADMIN_KEY, Api.event(new JsonObject().put("homeRegion", "local")))
        .statusCode()).isEqualTo(201);
    assertProblem(api.post("/api/events", ADMIN_KEY, Api.event(new JsonObject().put("homeRegion", "eu-west"))),
        400, "bad-request");
    assertThat(count("events")).as("one created, the refused one not").isEqualTo(events + 1);
    long eventId = event.getLong("id");
    assertThat(api.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject().put("homeRegion", "local")
        .put("capacity", 7)).bodyAsJsonObject().getInteger("capacity")).isEqualTo(7);
    assertProblem(api.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject().put("homeRegion", "eu-west")),
        400, "bad-request");
  }

  private static long count(String table) throws Exception {
    return await(node.store().pool().query("SELECT count(*) FROM " + table).execute()).iterator().next().getLong(0);
  }
}
