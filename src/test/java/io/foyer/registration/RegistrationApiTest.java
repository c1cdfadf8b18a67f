package io.foyer.registration;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Attendees register, come back, change their minds; organizers see, export and erase. */
class RegistrationApiTest {

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
  void aRegistrationIsConfirmedDurableAndComesWithATokenForSelfService() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 10));

    HttpResponse<Buffer> response = api.post(path(eventId), null, Api.attendee("ada@example.org")
        .put("language", "fr"));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    JsonObject registration = response.bodyAsJsonObject();
    assertThat(registration.getString("status")).isEqualTo("confirmed");
    assertThat(registration.getString("language")).isEqualTo("fr");
    assertThat(registration.getString("consentAt")).isNotBlank();
    assertThat(storedStatus(registration.getString("id"))).isEqualTo("confirmed");
    JsonObject mine = api.get(path(eventId) + "/me", registration.getString("token")).bodyAsJsonObject();
    assertThat(mine.getString("id")).isEqualTo(registration.getString("id"));
    assertThat(mine.getString("email")).isEqualTo("ada@example.org");
  }

  @Test
  void theSameEmailAgainIsTheSameRegistrationAndRevealsNothingOfIt() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject first = api.post(path(eventId), null, Api.attendee("grace@example.org")).bodyAsJsonObject();

    HttpResponse<Buffer> again = api.post(path(eventId), null, Api.attendee(" Grace@Example.org ")
        .put("name", "Someone Else"));

    assertThat(again.statusCode()).isEqualTo(200);
    JsonObject body = again.bodyAsJsonObject();
    assertThat(body.getString("id")).isEqualTo(first.getString("id"));
    assertThat(body.getBoolean("alreadyRegistered")).isTrue();
    assertThat(body.containsKey("token")).isFalse();
    assertThat(body.containsKey("name")).isFalse();
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyReplaysTheFirstResponseExactly() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String key = TestServices.unique("idem");

    HttpResponse<Buffer> first = registerWithKey(eventId, Api.attendee("alan@example.org"), key);
    HttpResponse<Buffer> replay = registerWithKey(eventId, Api.attendee("alan@example.org"), key);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(replay.statusCode()).isEqualTo(201);
    assertThat(replay.bodyAsString()).isEqualTo(first.bodyAsString());
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyReusedForAnotherRequestIsRefused() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String key = TestServices.unique("idem");
    registerWithKey(eventId, Api.attendee("first@example.org"), key);

    assertProblem(registerWithKey(eventId, Api.attendee("second@example.org"), key), 422, "idempotency-key-reused");
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  @Test
  void aRetryWithItsIdempotencyKeyGetsItsAnswerEvenAfterRegistrationClosed() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String key = TestServices.unique("idem");
    HttpResponse<Buffer> first = registerWithKey(eventId, Api.attendee("retry@example.org"), key);
    api.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject()
        .put("registrationOpensAt", Instant.now().minus(2, ChronoUnit.HOURS).toString())
        .put("registrationClosesAt", Instant.now().minus(1, ChronoUnit.HOURS).toString()));

    HttpResponse<Buffer> retry = registerWithKey(eventId, Api.attendee("retry@example.org"), key);

    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.bodyAsString()).isEqualTo(first.bodyAsString());
  }

  @Test
  void anIdempotencyKeyOfACancelledRegistrationCountsAsNew() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String key = TestServices.unique("idem");
    JsonObject first = registerWithKey(eventId, Api.attendee("again@example.org"), key).bodyAsJsonObject();
    api.delete(path(eventId) + "/me", first.getString("token"));

    HttpResponse<Buffer> again = registerWithKey(eventId, Api.attendee("again@example.org"), key);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("status")).isEqualTo("confirmed");
    assertThat(again.bodyAsJsonObject().getString("id")).isEqualTo(first.getString("id"));
    assertThat(api.get(path(eventId) + "/me", again.bodyAsJsonObject().getString("token")).bodyAsJsonObject()
        .getString("status")).isEqualTo("confirmed");
  }

  @Test
  void controlCharactersAreRefusedAndDoNotSpoilTheirBatch() throws Exception {
    long eventId = api.createEvent(new JsonObject());

    var bad = api.client().post(path(eventId)).sendJsonObject(Api.attendee("nul@example.org").put("name", "A\u0000B"));
    var good = api.client().post(path(eventId)).sendJsonObject(Api.attendee("fine@example.org"));

    assertProblem(await(bad), 422, "validation-failed");
    assertThat(await(good).statusCode()).isEqualTo(201);
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  @Test
  void onceFullAttendeesJoinTheWaitingListInOrder() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 1));

    JsonObject seated = register(eventId, "one@example.org");
    JsonObject second = register(eventId, "two@example.org");
    JsonObject third = register(eventId, "three@example.org");

    assertThat(seated.getString("status")).isEqualTo("confirmed");
    assertThat(second.getString("status")).isEqualTo("waitlisted");
    assertThat(second.getInteger("waitlistPosition")).isEqualTo(1);
    assertThat(third.getInteger("waitlistPosition")).isEqualTo(2);
  }

  @Test
  void aCancellationGivesTheSeatToTheFirstOnTheWaitingList() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 1));
    JsonObject seated = register(eventId, "seated@example.org");
    JsonObject waiting = register(eventId, "waiting@example.org");
    JsonObject later = register(eventId, "later@example.org");

    HttpResponse<Buffer> cancelled = api.delete(path(eventId) + "/me", seated.getString("token"));

    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(api.get(path(eventId) + "/me", waiting.getString("token")).bodyAsJsonObject().getString("status"))
        .isEqualTo("confirmed");
    assertThat(api.get(path(eventId) + "/me", later.getString("token")).bodyAsJsonObject()
        .getInteger("waitlistPosition")).isEqualTo(1);
    JsonObject stats = api.get("/api/events/" + eventId + "/stats", ADMIN_KEY).bodyAsJsonObject();
    assertThat(stats.getInteger("confirmed")).isEqualTo(1);
    assertThat(stats.getInteger("waitlisted")).isEqualTo(1);
    assertThat(stats.getInteger("cancelled")).isEqualTo(1);
  }

  @Test
  void moreCapacityConfirmsTheWaitingListAndLessThanTheConfirmedIsRefused() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 1));
    register(eventId, "a@example.org");
    JsonObject waiting = register(eventId, "b@example.org");

    api.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject().put("capacity", 2));

    assertThat(api.get(path(eventId) + "/me", waiting.getString("token")).bodyAsJsonObject().getString("status"))
        .isEqualTo("confirmed");
    assertProblem(api.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject().put("capacity", 1)), 409,
        "conflict");
  }

  @Test
  void theRegistrationWindowIsEnforced() throws Exception {
    Instant now = Instant.now();
    long notYet = api.createEvent(new JsonObject()
        .put("registrationOpensAt", now.plus(1, ChronoUnit.HOURS).toString()));
    long over = api.createEvent(new JsonObject()
        .put("registrationOpensAt", now.minus(2, ChronoUnit.HOURS).toString())
        .put("registrationClosesAt", now.minus(1, ChronoUnit.HOURS).toString()));

    assertProblem(api.post(path(notYet), null, Api.attendee("early@example.org")), 409, "registration-not-open");
    assertProblem(api.post(path(over), null, Api.attendee("late@example.org")), 409, "registration-closed");
    assertThat(countRegistrations(notYet) + countRegistrations(over)).isZero();
  }

  @Test
  void badInputGetsAClearProblemAndStoresNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("fields", new JsonArray()
        .add(new JsonObject().put("id", "company").put("type", "text").put("required", true))));

    assertProblem(api.post(path(424242424), null, Api.attendee("x@example.org")), 404, "not-found");
    assertProblem(api.post(path(eventId), null, Api.attendee("not-an-email").put("answers",
        new JsonObject().put("company", "ACME"))), 422, "validation-failed");
    HttpResponse<Buffer> missing = api.post(path(eventId), null, Api.attendee("x@example.org"));
    assertProblem(missing, 422, "validation-failed");
    assertThat(missing.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("answers.company");
    assertProblem(api.post(path(eventId), null, Api.attendee("x@example.org").put("consent", false)
        .put("answers", new JsonObject().put("company", "ACME"))), 422, "validation-failed");
    assertProblem(raw(eventId, "application/json", "{\"name\": \"x\""), 400, "invalid-json");
    assertProblem(raw(eventId, "application/x-www-form-urlencoded", "name=x"), 415, "unsupported-media-type");
    assertProblem(raw(eventId, "application/json", "{\"name\":\"" + "x".repeat(70_000) + "\"}"), 413,
        "payload-too-large");
    assertThat(countRegistrations(eventId)).isZero();
  }

  @Test
  void customFieldsAreCheckedOneByOne() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("fields", new JsonArray()
        .add(new JsonObject().put("id", "age").put("type", "number").put("min", 18).put("max", 120))
        .add(new JsonObject().put("id", "role").put("type", "single_choice").put("options", new JsonArray()
            .add("Developer").add("Manager")).put("required", true))
        .add(new JsonObject().put("id", "topics").put("type", "multiple_choice").put("options", new JsonArray()
            .add("AI").add("Web")))
        .add(new JsonObject().put("id", "country").put("type", "country"))
        .add(new JsonObject().put("id", "contact").put("type", "email"))
        .add(new JsonObject().put("id", "terms").put("type", "consent").put("required", true))));

    HttpResponse<Buffer> refused = api.post(path(eventId), null, Api.attendee("f@example.org").put("answers",
        new JsonObject().put("age", 12).put("role", "CEO").put("topics", new JsonArray().add("AI").add("Cooking"))
            .put("country", "XX").put("contact", "nope").put("terms", false).put("shoeSize", 42)));

    assertProblem(refused, 422, "validation-failed");
    assertThat(refused.bodyAsJsonObject().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList())
        .containsExactlyInAnyOrder("answers.age", "answers.role", "answers.topics", "answers.country",
            "answers.contact", "answers.terms", "answers.shoeSize");
    HttpResponse<Buffer> accepted = api.post(path(eventId), null, Api.attendee("f@example.org").put("answers",
        new JsonObject().put("age", 30).put("role", "Developer").put("topics", new JsonArray().add("Web"))
            .put("country", "fr").put("contact", "f@example.org").put("terms", true)));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(accepted.bodyAsJsonObject().getJsonObject("answers").getString("country")).isEqualTo("FR");
  }

  @Test
  void anAttendeeChangesTheirAnswersWithinTheRules() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("fields", new JsonArray()
        .add(new JsonObject().put("id", "company").put("type", "text").put("required", true))));
    JsonObject mine = api.post(path(eventId), null, Api.attendee("c@example.org")
        .put("answers", new JsonObject().put("company", "ACME"))).bodyAsJsonObject();
    String token = mine.getString("token");

    HttpResponse<Buffer> changed = api.patch(path(eventId) + "/me", token, new JsonObject().put("name", "Ada L.")
        .put("answers", new JsonObject().put("company", "Analytical Engines")));
    HttpResponse<Buffer> emptied = api.patch(path(eventId) + "/me", token, new JsonObject()
        .put("answers", new JsonObject().put("company", "")));

    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.bodyAsJsonObject().getString("name")).isEqualTo("Ada L.");
    assertProblem(emptied, 422, "validation-failed");
    assertThat(api.get(path(eventId) + "/me", token).bodyAsJsonObject().getJsonObject("answers")
        .getString("company")).isEqualTo("Analytical Engines");
  }

  @Test
  void tokensAreCheckedForTheirEventAndSignature() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    String token = register(eventId, "t@example.org").getString("token");

    assertProblem(api.get(path(otherEvent) + "/me", token), 403, "forbidden");
    assertProblem(api.get(path(eventId) + "/me", token.substring(0, token.length() - 3) + "abc"), 401,
        "unauthorized");
    assertProblem(api.get(path(eventId) + "/me", null), 401, "unauthorized");
    // a token Foyer issued, just not an organizer's
    assertProblem(api.get(path(eventId), token), 403, "forbidden");
  }

  @Test
  void anOrganizerExportsThenErasesAnAttendeeAndTheCountsStay() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 5));
    JsonObject mine = register(eventId, "erase-me@example.org");
    String registrationPath = path(eventId) + "/" + mine.getString("id");

    JsonObject export = api.get(registrationPath + "/export", ADMIN_KEY).bodyAsJsonObject();
    HttpResponse<Buffer> erased = api.delete(registrationPath + "/personal-data", ADMIN_KEY);

    assertThat(export.getJsonObject("registration").getString("email")).isEqualTo("erase-me@example.org");
    assertThat(erased.statusCode()).isEqualTo(200);
    JsonObject after = api.get(registrationPath, ADMIN_KEY).bodyAsJsonObject();
    assertThat(after.getString("email")).isNull();
    assertThat(after.getString("name")).isNull();
    assertThat(after.getString("erasedAt")).isNotBlank();
    assertThat(after.getString("status")).isEqualTo("confirmed");
    assertThat(api.get("/api/events/" + eventId + "/stats", ADMIN_KEY).bodyAsJsonObject().getInteger("confirmed"))
        .isEqualTo(1);
    JsonArray audit = api.get("/api/audit?eventId=" + eventId, ADMIN_KEY).bodyAsJsonObject().getJsonArray("entries");
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("action")).toList())
        .contains("registration.exported", "registration.erased");
    assertThat(register(eventId, "erase-me@example.org").getString("id")).as("a new registration")
        .isNotEqualTo(mine.getString("id"));
  }

  @Test
  void theCsvExportHasEveryRegistrationAndDefusesFormulas() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("fields", new JsonArray()
        .add(new JsonObject().put("id", "company").put("type", "text"))));
    api.post(path(eventId), null, Api.attendee("csv1@example.org").put("name", "=HYPERLINK(\"x\")")
        .put("answers", new JsonObject().put("company", "Quote \"Inc\", Ltd")));
    register(eventId, "csv2@example.org");

    HttpResponse<Buffer> csv = api.get("/api/events/" + eventId + "/registrations.csv", ADMIN_KEY);

    assertThat(csv.getHeader("Content-Type")).startsWith("text/csv");
    String[] lines = csv.bodyAsString().split("\r\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).isEqualTo("id,status,waitlist_position,name,email,language,registered_at,cancelled_at,"
        + "erased_at,company");
    assertThat(lines[1]).contains("'=HYPERLINK(\"\"x\"\")").contains("\"Quote \"\"Inc\"\", Ltd\"");
    assertProblem(api.get("/api/events/" + eventId + "/registrations.csv", null), 401, "unauthorized");
  }

  @Test
  void organizersListRegistrationsByStatus() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("capacity", 1));
    register(eventId, "l1@example.org");
    register(eventId, "l2@example.org");

    JsonObject waiting = api.get(path(eventId) + "?status=waitlisted", ADMIN_KEY).bodyAsJsonObject();

    assertThat(waiting.getLong("total")).isEqualTo(1);
    assertThat(waiting.getJsonArray("registrations").getJsonObject(0).getString("email")).isEqualTo("l2@example.org");
    JsonArray audit = api.get("/api/audit?eventId=" + eventId, ADMIN_KEY).bodyAsJsonObject().getJsonArray("entries");
    assertThat(audit.getJsonObject(0).getString("action")).as("reading personal data is audited")
        .isEqualTo("registrations.listed");
    assertProblem(api.get(path(eventId) + "?status=maybe", ADMIN_KEY), 400, "bad-request");
  }

  private static JsonObject register(long eventId, String email) throws Exception {
    HttpResponse<Buffer> response = api.post(path(eventId), null, Api.attendee(email));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> registerWithKey(long eventId, JsonObject body, String key) throws Exception {
    return await(api.client().post(path(eventId)).putHeader("Idempotency-Key", key)
        .putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer()));
  }

  private static HttpResponse<Buffer> raw(long eventId, String contentType, String body) throws Exception {
    return await(api.client().post(path(eventId)).putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body)));
  }

  private static String path(long eventId) {
    return "/api/events/" + eventId + "/registrations";
  }

  private static long countRegistrations(long eventId) throws Exception {
    return await(node.store().pool().preparedQuery("SELECT count(*) FROM registrations WHERE event_id = $1")
        .execute(Tuple.of(eventId))).iterator().next().getLong(0);
  }

  private static String storedStatus(String id) throws Exception {
    return await(node.store().pool().preparedQuery("SELECT status FROM registrations WHERE id = $1::uuid")
        .execute(Tuple.of(id))).iterator().next().getString(0);
  }
}
