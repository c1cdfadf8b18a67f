package io.foyer.auth;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.SCOPED_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.config.FoyerConfig;
import io.foyer.http.ProblemResponses;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Organizers issue, list and revoke presenter tokens; a presenter may run the interactions of its event (or
 * session) and nothing that reads personal data or changes the event.
 */
class PresenterTokenApiTest {

  private static FoyerApp node;
  private static Api api;
  private static HttpServer runnerServer;
  private static Api runnerApi;
  private static PresenterTokens presenters;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of());
    api = new Api(node.httpPort());
    FoyerConfig config = TestNodes.config(Map.of());
    Credentials credentials = await(Credentials.load(node.vertx(), config.auth(), config.dataDir(),
        node.store().pool()));
    presenters = credentials.presenters();
    runnerServer = await(node.vertx().createHttpServer().requestHandler(runnerRoute(credentials)).listen(0));
    runnerApi = new Api(runnerServer.actualPort());
  }

  /** A route as interaction routes use the check: GET /run/{eventId}?sessionId= answers who runs. */
  private static Router runnerRoute(Credentials credentials) {
    Router router = Router.router(node.vertx());
    AuthHandlers auth = new AuthHandlers(credentials);
    router.get("/run/:eventId").handler(auth.runner()).handler(ctx -> {
      String session = ctx.request().getParam("sessionId");
      Runner runner = AuthHandlers.runnerFor(ctx, Long.parseLong(ctx.pathParam("eventId")),
          session == null ? null : Long.parseLong(session));
      ctx.json(new JsonObject().put("role", runner.role().name()).put("actor", runner.actor().name()));
    });
    router.route().failureHandler(ProblemResponses::handle);
    return router;
  }

  @AfterAll
  static void stop() throws Exception {
    runnerApi.close();
    await(runnerServer.close());
    api.close();
    await(node.stop());
  }

  @Test
  void anOrganizerIssuesListsAndRevokesPresenterTokensAndEachIsAudited() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);

    HttpResponse<Buffer> issued = api.post(tokens(eventId), ADMIN_KEY,
        new JsonObject().put("name", "Stage A").put("sessionId", sessionId).put("ttlHours", 2));

    assertThat(issued.statusCode()).as(issued.bodyAsString()).isEqualTo(201);
    JsonObject token = issued.bodyAsJsonObject();
    assertThat(token.getString("name")).isEqualTo("Stage A");
    assertThat(token.getLong("eventId")).isEqualTo(eventId);
    assertThat(token.getLong("sessionId")).isEqualTo(sessionId);
    assertThat(token.getString("token")).isNotBlank();
    assertThat(Instant.parse(token.getString("expiresAt")))
        .isBetween(Instant.now().plusSeconds(2 * 3600 - 60), Instant.now().plusSeconds(2 * 3600 + 1));
    assertThat(issued.getHeader("Location")).isEqualTo(tokens(eventId) + "/" + token.getString("id"));
    JsonObject eventWide = api.issuePresenterToken(eventId, null);
    assertThat(Instant.parse(eventWide.getString("expiresAt")))
        .isBetween(Instant.now().plusSeconds(24 * 3600 - 60), Instant.now().plusSeconds(24 * 3600 + 1));

    JsonArray listed = api.get(tokens(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("presenterTokens");
    assertThat(listed).hasSize(2);
    assertThat(listed.getJsonObject(0).getString("id")).isEqualTo(token.getString("id"));
    assertThat(listed.getJsonObject(0).containsKey("token")).isFalse();
    assertThat(listed.getJsonObject(0).getString("revokedAt")).isNull();

    assertThat(api.delete(tokens(eventId) + "/" + token.getString("id"), ADMIN_KEY).statusCode()).isEqualTo(204);
    assertThat(api.delete(tokens(eventId) + "/" + token.getString("id"), ADMIN_KEY).statusCode()).isEqualTo(204);

    assertThat(api.get(tokens(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("presenterTokens")
        .getJsonObject(0).getString("revokedAt")).isNotNull();
    List<String> actions = api.get("/api/audit?eventId=" + eventId, ADMIN_KEY).bodyAsJsonObject()
        .getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .filter(e -> e.getString("target").equals("presenter-token:" + token.getString("id")))
        .map(e -> e.getString("action")).toList();
    assertThat(actions).containsExactly("presenter-token.revoked", "presenter-token.issued");
  }

  @Test
  void badRequestsToIssueAreRefusedAndStoreNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    long otherSession = api.createSession(otherEvent);
    long before = count();

    HttpResponse<Buffer> invalid = api.post(tokens(eventId), ADMIN_KEY, new JsonObject().put("name", " ")
        .put("ttlHours", 721).put("sessionId", "one").put("role", "organizer"));
    assertProblem(invalid, 422, "validation-failed");
    assertThat(invalid.bodyAsJsonObject().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList())
        .containsExactlyInAnyOrder("name", "ttlHours", "sessionId", "role");
    assertProblem(api.post(tokens(eventId), ADMIN_KEY, new JsonObject().put("name", "x").put("ttlHours", 0)), 422,
        "validation-failed");
    assertProblem(api.post(tokens(eventId), ADMIN_KEY, new JsonObject().put("name", "x").put("ttlHours", 1.5)),
        422, "validation-failed");
    assertProblem(api.post(tokens(eventId), ADMIN_KEY, new JsonObject().put("name", "x".repeat(101))), 422,
        "validation-failed");
    assertProblem(api.post(tokens(eventId), ADMIN_KEY, new JsonObject().put("name", "x")
        .put("sessionId", otherSession)), 404, "not-found");
    assertProblem(api.post(tokens(424_242_424L), ADMIN_KEY, new JsonObject().put("name", "x")), 404, "not-found");
    assertProblem(api.post(tokens(eventId), SCOPED_KEY, new JsonObject().put("name", "x")), 403, "forbidden");
    assertProblem(api.post(tokens(eventId), null, new JsonObject().put("name", "x")), 401, "unauthorized");
    assertProblem(api.get(tokens(eventId), SCOPED_KEY), 403, "forbidden");
    assertProblem(api.delete(tokens(eventId) + "/" + UUID.randomUUID(), ADMIN_KEY), 404, "not-found");
    assertProblem(api.delete(tokens(eventId) + "/not-a-uuid", ADMIN_KEY), 404, "not-found");

    assertThat(count()).isEqualTo(before);
  }

  @Test
  void aTokenOfAnotherEventCannotBeRevokedThroughThisOne() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    JsonObject token = api.issuePresenterToken(otherEvent, null);

    assertProblem(api.delete(tokens(eventId) + "/" + token.getString("id"), ADMIN_KEY), 404, "not-found");

    assertThat(run(otherEvent, null, token).statusCode()).isEqualTo(200);
  }

  @Test
  void aPresenterMayNotReadPersonalDataNorChangeTheEvent() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    String registrationId = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee("seen-by-organizers@example.org")).bodyAsJsonObject().getString("id");
    String presenter = api.issuePresenterToken(eventId, null).getString("token");
    String base = "/api/events/" + eventId;

    assertProblem(api.get(base + "/registrations", presenter), 403, "forbidden");
    assertProblem(api.get(base + "/registrations/" + registrationId, presenter), 403, "forbidden");
    assertProblem(api.get(base + "/registrations/" + registrationId + "/export", presenter), 403, "forbidden");
    assertProblem(api.get(base + "/registrations.csv", presenter), 403, "forbidden");
    assertProblem(api.get(base + "/sessions/" + sessionId + "/attendance", presenter), 403, "forbidden");
    assertProblem(api.get("/api/audit?eventId=" + eventId, presenter), 403, "forbidden");
    assertProblem(api.get(tokens(eventId), presenter), 403, "forbidden");
    assertProblem(api.post(tokens(eventId), presenter, new JsonObject().put("name", "mine")), 403, "forbidden");
    assertProblem(api.patch(base, presenter, new JsonObject().put("title", "Taken over")), 403, "forbidden");
    assertProblem(api.post(base + "/sessions", presenter, new JsonObject().put("title", "Extra")), 403,
        "forbidden");

    assertThat(api.get(base, null).bodyAsJsonObject().getString("title")).isNotEqualTo("Taken over");
    assertThat(api.get(base + "/sessions", null).bodyAsJsonObject().getJsonArray("sessions")).hasSize(1);
  }

  @Test
  void organizersAndThePresentersOfAnEventRunItsInteractions() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    long otherSession = api.createSession(eventId);
    long otherEvent = api.createEvent(new JsonObject());
    JsonObject eventWide = api.issuePresenterToken(eventId, null);
    JsonObject sessionOnly = api.issuePresenterToken(eventId, sessionId);

    JsonObject asOrganizer = run(eventId, sessionId, ADMIN_KEY).bodyAsJsonObject();
    assertThat(asOrganizer.getString("role")).isEqualTo("ORGANIZER");
    assertThat(asOrganizer.getString("actor")).isEqualTo("admin");
    JsonObject asPresenter = run(eventId, null, eventWide).bodyAsJsonObject();
    assertThat(asPresenter.getString("role")).isEqualTo("PRESENTER");
    assertThat(asPresenter.getString("actor")).isEqualTo("presenter:Grace Hopper");
    assertThat(run(eventId, otherSession, eventWide).statusCode()).isEqualTo(200);
    assertThat(run(eventId, sessionId, sessionOnly).statusCode()).isEqualTo(200);

    assertProblem(run(eventId, otherSession, sessionOnly), 403, "forbidden");
    assertProblem(run(eventId, null, sessionOnly), 403, "forbidden");
    assertProblem(run(otherEvent, null, eventWide), 403, "forbidden");
    assertProblem(run(eventId, null, SCOPED_KEY), 403, "forbidden");
  }

  @Test
  void anAttendeeTokenCannotRunInteractionsAndNoTokenIsNoCredential() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String attendee = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee("not-a-presenter@example.org")).bodyAsJsonObject().getString("token");

    assertProblem(run(eventId, null, attendee), 403, "forbidden");
    assertProblem(run(eventId, null, (String) null), 401, "unauthorized");
    assertProblem(run(eventId, null, "forged.token.value"), 401, "unauthorized");
  }

  @Test
  void aRevokedOrExpiredTokenIsRefusedAtOnce() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject revoked = api.issuePresenterToken(eventId, null);
    JsonObject expiredInDatabase = api.issuePresenterToken(eventId, null);
    assertThat(run(eventId, null, revoked).statusCode()).isEqualTo(200);
    assertThat(run(eventId, null, expiredInDatabase).statusCode()).isEqualTo(200);

    api.delete(tokens(eventId) + "/" + revoked.getString("id"), ADMIN_KEY);
    await(node.store().pool().preparedQuery("UPDATE presenter_tokens SET expires_at = now() - interval '1 second', "
        + "created_at = now() - interval '1 hour' WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(expiredInDatabase.getString("id")))));
    String pastSignature = presenters.sign(UUID.fromString(revoked.getString("id")), eventId, null,
        Instant.now().minusSeconds(60));

    assertProblem(run(eventId, null, revoked), 401, "unauthorized");
    assertProblem(run(eventId, null, expiredInDatabase), 401, "unauthorized");
    assertProblem(run(eventId, null, pastSignature), 401, "unauthorized");
    // a presenter token that is no longer valid is still no organizer key
    assertProblem(api.get("/api/events/" + eventId + "/registrations", revoked.getString("token")), 403,
        "forbidden");
  }

  private static HttpResponse<Buffer> run(long eventId, Long sessionId, JsonObject token) throws Exception {
    return run(eventId, sessionId, token.getString("token"));
  }

  private static HttpResponse<Buffer> run(long eventId, Long sessionId, String bearer) throws Exception {
    return runnerApi.get("/run/" + eventId + (sessionId == null ? "" : "?sessionId=" + sessionId), bearer);
  }

  private static String tokens(long eventId) {
    return "/api/events/" + eventId + "/presenter-tokens";
  }

  private static long count() throws Exception {
    return await(node.store().pool().query("SELECT count(*) FROM presenter_tokens").execute()).iterator().next()
        .getLong(0);
  }
}
