package io.foyer.registration;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.SCOPED_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per event, who may register: anyone, by invite code, or signed in; and organizers' invite codes. */
class RegistrationModesTest {

  private static FoyerApp node;
  private static FoyerApp secondNode;
  private static Api api;
  private static Api secondApi;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of());
    secondNode = TestNodes.start(Map.of());
    api = new Api(node.httpPort());
    secondApi = new Api(secondNode.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    secondApi.close();
    await(node.stop());
    await(secondNode.stop());
  }

  @Test
  void anEventIsOpenByDefaultAndItsModeIsStoredChangedAndShownPublicly() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    assertThat(api.get("/api/events/" + eventId, null).bodyAsJsonObject().getString("registrationMode"))
        .isEqualTo("open");

    HttpResponse<Buffer> changed = api.patch("/api/events/" + eventId, ADMIN_KEY,
        new JsonObject().put("registrationMode", "invite"));

    assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(200);
    assertThat(changed.bodyAsJsonObject().getString("registrationMode")).isEqualTo("invite");
    assertThat(api.get("/api/events/" + eventId, null).bodyAsJsonObject().getString("registrationMode"))
        .as("the public view tells the attendee page which form to show").isEqualTo("invite");
    assertThat(storedMode(eventId)).isEqualTo("invite");
    HttpResponse<Buffer> sso = api.post("/api/events", ADMIN_KEY, Api.event(new JsonObject()
        .put("registrationMode", "sso")));
    assertThat(sso.bodyAsJsonObject().getString("registrationMode")).isEqualTo("sso");
    assertThat(storedMode(sso.bodyAsJsonObject().getLong("id"))).isEqualTo("sso");
  }

  @Test
  void anUnknownModeIsRefusedWithTheFieldNamedAndChangesNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject());

    HttpResponse<Buffer> refused = api.patch("/api/events/" + eventId, ADMIN_KEY,
        new JsonObject().put("registrationMode", "everyone"));

    assertProblem(refused, 422, "validation-failed");
    JsonObject error = refused.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("field")).isEqualTo("registrationMode");
    assertThat(error.getString("message")).isEqualTo("must be one of open, sso, invite");
    assertProblem(api.patch("/api/events/" + eventId, ADMIN_KEY, new JsonObject().put("registrationMode", 3)),
        422, "validation-failed");
    assertProblem(api.post("/api/events", ADMIN_KEY, Api.event(new JsonObject().put("registrationMode", "SSO"))),
        422, "validation-failed");
    assertThat(storedMode(eventId)).isEqualTo("open");
  }

  @Test
  void organizersMakeListAndRevokeInviteCodesShownOnceAndAudited() throws Exception {
    long eventId = inviteEvent();

    HttpResponse<Buffer> made = api.post(invites(eventId), ADMIN_KEY,
        new JsonObject().put("count", 3).put("uses", 2).put("label", "Partners"));

    assertThat(made.statusCode()).as(made.bodyAsString()).isEqualTo(201);
    assertThat(made.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonArray codes = made.bodyAsJsonObject().getJsonArray("invites");
    assertThat(codes).hasSize(3);
    List<String> texts = new ArrayList<>();
    for (Object o : codes) {
      JsonObject invite = (JsonObject) o;
      assertThat(invite.getString("code")).matches("[A-Za-z0-9_-]{22}");
      assertThat(invite.getString("hint")).isEqualTo(invite.getString("code").substring(0, 4));
      assertThat(invite.getInteger("usesLeft")).isEqualTo(2);
      assertThat(invite.getString("label")).isEqualTo("Partners");
      texts.add(invite.getString("code"));
    }
    assertThat(texts).doesNotHaveDuplicates();
    long stored = await(node.store().pool().preparedQuery(
        "SELECT count(*) FROM invite_codes WHERE event_id = $1 AND code_hash = ANY ($2::text[])")
        .execute(Tuple.of(eventId).addArrayOfString(texts.toArray(String[]::new)))).iterator().next().getLong(0);
    assertThat(stored).as("only the codes' hashes are kept").isZero();

    JsonArray listed = api.get(invites(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("invites");
    assertThat(listed).hasSize(3);
    assertThat(listed.getJsonObject(0).containsKey("code")).as("a code is shown once, when made").isFalse();

    long first = codes.getJsonObject(0).getLong("id");
    HttpResponse<Buffer> revoked = api.delete(invites(eventId) + "/" + first, ADMIN_KEY);
    assertThat(revoked.statusCode()).as(revoked.bodyAsString()).isEqualTo(200);
    assertThat(revoked.bodyAsJsonObject().getBoolean("revoked")).isTrue();
    assertThat(revoked.bodyAsJsonObject().getInteger("usesLeft")).isZero();
    assertThat(api.delete(invites(eventId) + "/" + first, ADMIN_KEY).statusCode()).isEqualTo(200);
    assertProblem(api.delete(invites(eventId) + "/999999999", ADMIN_KEY), 404, "not-found");

    JsonArray audit = api.get("/api/audit?eventId=" + eventId, ADMIN_KEY).bodyAsJsonObject().getJsonArray("entries");
    List<String> actions = audit.stream().map(e -> ((JsonObject) e).getString("action")).toList();
    assertThat(actions).containsSubsequence("invite.revoked", "invites.created");
    assertThat(actions.stream().filter("invite.revoked"::equals)).as("revoking again is no new action").hasSize(1);
  }

  @Test
  void badInviteOrdersAreRefusedAndMakeNoCode() throws Exception {
    long eventId = inviteEvent();

    assertProblem(api.post(invites(eventId), ADMIN_KEY, new JsonObject().put("count", 0)), 422, "validation-failed");
    assertProblem(api.post(invites(eventId), ADMIN_KEY, new JsonObject().put("count", 1001)), 422,
        "validation-failed");
    assertProblem(api.post(invites(eventId), ADMIN_KEY, new JsonObject().put("uses", 1.5)), 422,
        "validation-failed");
    assertProblem(api.post(invites(eventId), ADMIN_KEY, new JsonObject().put("codes", 2)), 422,
        "validation-failed");
    assertProblem(api.post("/api/events/999999999/invites", ADMIN_KEY, new JsonObject()), 404, "not-found");
    assertThat(api.get(invites(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("invites")).isEmpty();
  }

  @Test
  void onlyOrganizersReachInviteCodes() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 2);
    String attendeeToken = register(eventId, "holder@example.org", code).getString("token");

    assertProblem(api.post(invites(eventId), null, new JsonObject()), 401, "unauthorized");
    assertProblem(api.get(invites(eventId), null), 401, "unauthorized");
    assertProblem(api.delete(invites(eventId) + "/1", null), 401, "unauthorized");
    assertProblem(api.post(invites(eventId), attendeeToken, new JsonObject()), 403, "forbidden");
    assertProblem(api.get(invites(eventId), attendeeToken), 403, "forbidden");
    assertProblem(api.get(invites(eventId), "not-a-token"), 401, "unauthorized");
    // a key for another event is known but not allowed here
    assertProblem(api.post(invites(eventId), SCOPED_KEY, new JsonObject()), 403, "forbidden");
    assertProblem(api.get(invites(eventId), SCOPED_KEY), 403, "forbidden");
    assertThat(api.get(invites(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("invites")).hasSize(1);
  }

  @Test
  void aValidCodeRegistersAndSpendsOneUse() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 2);

    JsonObject registration = register(eventId, "invited@example.org", code);

    assertThat(registration.getString("status")).isEqualTo("confirmed");
    assertThat(registration.getString("token")).isNotBlank();
    assertThat(usesLeft(eventId)).isEqualTo(1);
    Row stored = await(node.store().pool().preparedQuery(
        "SELECT r.invite_code_id, i.id FROM registrations r, invite_codes i WHERE r.id = $1::uuid AND i.event_id = $2")
        .execute(Tuple.of(registration.getString("id"), eventId))).iterator().next();
    assertThat(stored.getLong(0)).as("the registration remembers its code").isEqualTo(stored.getLong(1));
  }

  @Test
  void anInviteEventRefusesNoCodeUnknownRevokedAndUsedUpCodesAndStoresNothing() throws Exception {
    long eventId = inviteEvent();
    String once = makeCode(eventId, 1);
    register(eventId, "first@example.org", once);
    JsonObject revokedInvite = api.post(invites(eventId), ADMIN_KEY, new JsonObject().put("uses", 5))
        .bodyAsJsonObject().getJsonArray("invites").getJsonObject(0);
    api.delete(invites(eventId) + "/" + revokedInvite.getLong("id"), ADMIN_KEY);

    assertProblem(api.post(path(eventId), null, Api.attendee("none@example.org")), 403, "invite-code-required");
    assertProblem(api.post(path(eventId), null, withCode("blank@example.org", "  ")), 403, "invite-code-required");
    assertProblem(api.post(path(eventId), null, withCode("guess@example.org", "AAAAAAAAAAAAAAAAAAAAAA")), 403,
        "invite-code-unknown");
    assertProblem(api.post(path(eventId), null, withCode("weird@example.org", "not a code!")), 403,
        "invite-code-unknown");
    assertProblem(api.post(path(eventId), null, Api.attendee("typed@example.org").put("inviteCode", 42)), 422,
        "validation-failed");
    assertProblem(api.post(path(eventId), null, withCode("late@example.org", revokedInvite.getString("code"))), 403,
        "invite-code-revoked");
    HttpResponse<Buffer> usedUp = api.post(path(eventId), null, withCode("second@example.org", once));
    assertProblem(usedUp, 403, "invite-code-used-up");
    assertThat(usedUp.bodyAsJsonObject().getString("detail")).contains("ask the organizer");

    assertThat(countRegistrations(eventId)).isEqualTo(1);
    assertThat(await(node.store().pool().preparedQuery("SELECT sum(used) FROM invite_codes WHERE event_id = $1")
        .execute(Tuple.of(eventId))).iterator().next().getLong(0)).isEqualTo(1);
  }

  @Test
  void aCodeOfAnotherEventIsUnknownHere() throws Exception {
    long eventId = inviteEvent();
    long otherEvent = inviteEvent();
    String otherCode = makeCode(otherEvent, 3);

    assertProblem(api.post(path(eventId), null, withCode("astray@example.org", otherCode)), 403,
        "invite-code-unknown");
    assertThat(countRegistrations(eventId)).isZero();
  }

  @Test
  void twoRegistrationsRacingForACodesLastUseExactlyOneWins() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 2);
    register(eventId, "early@example.org", code);

    List<Future<HttpResponse<Buffer>>> racing = List.of(
        send(api, eventId, withCode("racer1@example.org", code), null),
        send(secondApi, eventId, withCode("racer2@example.org", code), null));
    await(Future.all(racing));

    List<HttpResponse<Buffer>> answers = racing.stream().map(Future::result).toList();
    assertThat(answers.stream().filter(r -> r.statusCode() == 201)).as("exactly one wins").hasSize(1);
    HttpResponse<Buffer> loser = answers.stream().filter(r -> r.statusCode() != 201).findFirst().orElseThrow();
    assertProblem(loser, 403, "invite-code-used-up");
    assertThat(countRegistrations(eventId)).isEqualTo(2);
    assertThat(usesLeft(eventId)).isZero();
  }

  @Test
  void manyRegistrationsOnTwoNodesSpendACodesUsesExactly() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 7);

    List<Future<HttpResponse<Buffer>>> racing = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      racing.add(send(i % 2 == 0 ? api : secondApi, eventId, withCode("crowd" + i + "@example.org", code), null));
    }
    await(Future.all(racing));

    List<HttpResponse<Buffer>> answers = racing.stream().map(Future::result).toList();
    assertThat(answers.stream().filter(r -> r.statusCode() == 201)).hasSize(7);
    assertThat(answers.stream().filter(r -> r.statusCode() != 201))
        .allSatisfy(r -> assertProblem(r, 403, "invite-code-used-up"));
    assertThat(countRegistrations(eventId)).isEqualTo(7);
    assertThat(usesLeft(eventId)).isZero();
  }

  @Test
  void anIdempotentRetrySpendsNoSecondUse() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 3);
    String key = TestServices.unique("idem");
    JsonObject body = withCode("retry@example.org", code);

    HttpResponse<Buffer> first = await(send(api, eventId, body, key));
    HttpResponse<Buffer> retry = await(send(secondApi, eventId, body, key));

    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.bodyAsString()).isEqualTo(first.bodyAsString());
    assertThat(usesLeft(eventId)).isEqualTo(2);
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  @Test
  void aRetryRacingItsFirstAttemptSpendsOneUse() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 3);
    String key = TestServices.unique("idem");
    JsonObject body = withCode("twice@example.org", code);

    List<Future<HttpResponse<Buffer>>> both = List.of(send(api, eventId, body, key), send(secondApi, eventId, body,
        key));
    await(Future.all(both));

    assertThat(both.stream().map(f -> f.result().statusCode())).allSatisfy(s -> assertThat(s).isIn(200, 201));
    assertThat(usesLeft(eventId)).isEqualTo(2);
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  @Test
  void someoneAlreadyRegisteredSpendsNoUseAndOpenEventsIgnoreCodes() throws Exception {
    long eventId = inviteEvent();
    String code = makeCode(eventId, 3);
    register(eventId, "again@example.org", code);

    HttpResponse<Buffer> again = api.post(path(eventId), null, withCode("again@example.org", code));

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getBoolean("alreadyRegistered")).isTrue();
    assertThat(usesLeft(eventId)).isEqualTo(2);

    long open = api.createEvent(new JsonObject());
    HttpResponse<Buffer> withStaleLink = api.post(path(open), null, withCode("link@example.org", "whatever"));
    assertThat(withStaleLink.statusCode()).as(withStaleLink.bodyAsString()).isEqualTo(201);
  }

  @Test
  void anSsoEventRefusesWhoeverIsNotSignedInAndStoresNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("registrationMode", "sso"));

    HttpResponse<Buffer> refused = api.post(path(eventId), null, new JsonObject().put("consent", true));

    assertProblem(refused, 401, "sign-in-required");
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("sign in");
    assertProblem(api.post(path(eventId), null, Api.attendee("typed@example.org")), 401, "sign-in-required");
    assertProblem(await(send(api, eventId, Api.attendee("keyed@example.org"), TestServices.unique("idem"))), 401,
        "sign-in-required");
    assertThat(countRegistrations(eventId)).isZero();
  }

  @Test
  void aModeChangedBehindANodesCachedEventIsStillEnforcedByTheDatabase() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    assertThat(api.post(path(eventId), null, Api.attendee("warm@example.org")).statusCode()).isEqualTo(201);
    // a change the node's event cache has not heard of (as if its eviction were lost): the writer decides
    await(node.store().pool().preparedQuery("UPDATE events SET registration_mode = 'invite' WHERE id = $1")
        .execute(Tuple.of(eventId)));

    assertProblem(api.post(path(eventId), null, Api.attendee("stale@example.org")), 403, "invite-code-required");
    assertThat(countRegistrations(eventId)).isEqualTo(1);
  }

  private static long inviteEvent() throws Exception {
    return api.createEvent(new JsonObject().put("registrationMode", "invite"));
  }

  private static String makeCode(long eventId, int uses) throws Exception {
    HttpResponse<Buffer> made = api.post(invites(eventId), ADMIN_KEY, new JsonObject().put("uses", uses));
    assertThat(made.statusCode()).as(made.bodyAsString()).isEqualTo(201);
    return made.bodyAsJsonObject().getJsonArray("invites").getJsonObject(0).getString("code");
  }

  private static JsonObject register(long eventId, String email, String code) throws Exception {
    HttpResponse<Buffer> response = api.post(path(eventId), null, withCode(email, code));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static JsonObject withCode(String email, String code) {
    return Api.attendee(email).put("inviteCode", code);
  }

  private static Future<HttpResponse<Buffer>> send(Api via, long eventId, JsonObject body, String key) {
    var request = via.client().post(path(eventId)).putHeader("Content-Type", "application/json");
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return request.sendBuffer(body.toBuffer());
  }

  private static int usesLeft(long eventId) throws Exception {
    return api.get(invites(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("invites").stream()
        .mapToInt(i -> ((JsonObject) i).getInteger("usesLeft")).sum();
  }

  private static String storedMode(long eventId) throws Exception {
    return await(node.store().pool().preparedQuery("SELECT registration_mode FROM events WHERE id = $1")
        .execute(Tuple.of(eventId))).iterator().next().getString(0);
  }

  private static long countRegistrations(long eventId) throws Exception {
    return await(node.store().pool().preparedQuery("SELECT count(*) FROM registrations WHERE event_id = $1")
        .execute(Tuple.of(eventId))).iterator().next().getLong(0);
  }

  private static String invites(long eventId) {
    return "/api/events/" + eventId + "/invites";
  }

  private static String path(long eventId) {
    return "/api/events/" + eventId + "/registrations";
  }
}
