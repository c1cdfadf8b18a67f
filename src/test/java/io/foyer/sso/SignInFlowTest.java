package io.foyer.sso;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.OidcServer;
import io.foyer.testing.SignInBrowser;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on end to end over HTTP against a real OpenID Connect provider: the code flow with its session
 * cookie, roles from the groups claim, tokens refused for expiry, issuer and audience, a replayed state, CSRF, and
 * signing out at Foyer and at the provider.
 */
class SignInFlowTest {

  static OidcServer oidc;
  static FoyerApp app;
  static Api api;
  static String foyer;
  static long eventId;
  static long otherEventId;

  @BeforeAll
  static void start() throws Exception {
    oidc = OidcServer.start();
    int port = TestServices.freePort();
    foyer = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(oidc.foyerEnvironment(foyer, "corp",
        "foyer-admins=organizer:*,event-{event}-speakers=presenter:{event},mods=moderator:*"));
    // a second provider, with rules of its own: a partner's staff may only present
    env.putAll(oidc.foyerEnvironment(foyer, "partner", "partner-staff=presenter:*"));
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    app = TestNodes.start(env);
    api = new Api(app.httpPort());
    eventId = api.createEvent(new JsonObject().put("title", "Town hall"));
    otherEventId = api.createEvent(new JsonObject().put("title", "Board meeting"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (app != null) TestNodes.await(app.stop());
    if (oidc != null) oidc.close();
  }

  @Test
  void anOrganizerSignsInWithAHttpOnlySameSiteCookieAndActsWithTheCsrfToken() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", "alice", "Alice Admin", List.of("staff", "foyer-admins"));

    HttpResponse<String> back = browser.signIn("corp", "/present/" + eventId);

    assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
    assertThat(SignInBrowser.location(back)).isEqualTo("/present/" + eventId);
    assertThat(browser.lastSetCookie()).containsIgnoringCase("HttpOnly").contains("Secure")
        .containsIgnoringCase("SameSite=Lax");
    JsonObject session = new JsonObject(browser.get("/api/auth/session").body());
    assertThat(session.getBoolean("signedIn")).isTrue();
    assertThat(session.getString("name")).isEqualTo("Alice Admin");
    assertThat(session.getString("email")).isEqualTo("alice@example.com");
    assertThat(session.getJsonArray("roles")).containsExactly("organizer:*");
    String csrf = session.getString("csrfToken");
    assertThat(csrf).isNotBlank();

    // reading needs no CSRF token; changing does
    assertThat(browser.get("/api/events/" + eventId + "/registrations").statusCode()).isEqualTo(200);
    int before = eventCount();
    HttpResponse<String> withoutToken = browser.send("POST", "/api/events", event("Forged"), null);
    assertProblem(withoutToken, 403, "csrf-token-invalid");
    HttpResponse<String> wrongToken = browser.send("POST", "/api/events", event("Forged"), csrf + "x");
    assertProblem(wrongToken, 403, "csrf-token-invalid");
    assertThat(eventCount()).isEqualTo(before);
    HttpResponse<String> created = browser.send("POST", "/api/events", event("Made by Alice"), csrf);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(eventCount()).isEqualTo(before + 1);

    // the ops view shows the providers and their rules to an organizer of every event
    JsonObject cluster = new JsonObject(browser.get("/api/ops/cluster").body());
    JsonObject provider = cluster.getJsonArray("signIn").getJsonObject(0);
    assertThat(provider.getString("id")).isEqualTo("corp");
    assertThat(provider.getJsonArray("roles").getList()).contains("foyer-admins = organizer:*",
        "event-{event}-speakers = presenter:{event}");
    assertThat(provider.encode()).doesNotContain(OidcServer.CLIENT_SECRET);
  }

  @Test
  void aSpeakerGroupMakesAPresenterOfThatEventOnly() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", "sam", "Sam Speaker", List.of("event-" + eventId + "-speakers"));
    assertThat(browser.signIn("corp", "/").statusCode()).isEqualTo(303);
    String csrf = new JsonObject(browser.get("/api/auth/session").body()).getString("csrfToken");

    HttpResponse<String> poll = browser.send("POST", "/api/events/" + eventId + "/polls", new JsonObject()
        .put("kind", "single_choice").put("question", "Coffee or tea?")
        .put("options", new JsonArray().add(option("c", "Coffee")).add(option("t", "Tea"))).encode(), csrf);
    assertThat(poll.statusCode()).as(poll.body()).isEqualTo(201);
    assertProblem(browser.send("POST", "/api/events/" + otherEventId + "/polls", new JsonObject()
        .put("kind", "single_choice").put("question", "Elsewhere?")
        .put("options", new JsonArray().add(option("y", "Yes")).add(option("n", "No"))).encode(), csrf), 403,
        "forbidden");
    // a presenter reads no personal data and changes no event
    assertProblem(browser.get("/api/events/" + eventId + "/registrations"), 403, "forbidden");
    assertProblem(browser.send("PATCH", "/api/events/" + eventId, new JsonObject().put("title", "Mine").encode(),
        csrf), 403, "forbidden");

    // the console's token for the WebSocket: for its event only
    assertProblem(browser.send("POST", "/api/auth/presenter-token",
        new JsonObject().put("eventId", otherEventId).encode(), csrf), 403, "forbidden");
    HttpResponse<String> issued = browser.send("POST", "/api/auth/presenter-token",
        new JsonObject().put("eventId", eventId).encode(), csrf);
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    String token = new JsonObject(issued.body()).getString("token");
    assertThat(api.get("/api/events/" + eventId + "/polls", token).statusCode()).isEqualTo(200);
  }

  @Test
  void eachProviderGrantsByItsOwnRules() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    // foyer-admins means nothing at the partner: only its own rule applies
    oidc.nextSignIn("partner", "pat", "Pat Partner", List.of("partner-staff", "foyer-admins"));
    assertThat(browser.signIn("partner", "/").statusCode()).isEqualTo(303);
    JsonObject session = new JsonObject(browser.get("/api/auth/session").body());
    assertThat(session.getString("provider")).isEqualTo("partner");
    assertThat(session.getJsonArray("roles")).containsExactly("presenter:*");
    assertThat(browser.get("/api/events/" + otherEventId + "/polls").statusCode()).isEqualTo(200);
    assertProblem(browser.get("/api/events/" + eventId + "/registrations"), 403, "forbidden");

    JsonArray providers = new JsonObject(browser.get("/api/auth/providers").body()).getJsonArray("providers");
    assertThat(providers.stream().map(p -> ((JsonObject) p).getString("id"))).containsExactly("corp", "partner");
  }

  @Test
  void nothingOfTheIdTokenReachesTheLog() throws Exception {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
        new ch.qos.logback.core.read.ListAppender<>();
    log.start();
    root.addAppender(log);
    try {
      oidc.nextSignIn("corp", "zed-subject-7731", "Zed Unlogged", List.of("foyer-admins"));
      assertThat(new SignInBrowser(foyer).signIn("corp", "/").statusCode()).isEqualTo(303);
      Map<String, Object> expired = new HashMap<>(Map.of("name", "Zed Unlogged", "email", "zed@example.com"));
      oidc.nextSignIn("corp", "zed-subject-7731", expired, -600);
      assertProblem(new SignInBrowser(foyer).signIn("corp", "/"), 401, "sign-in-failed");
    } finally {
      root.detachAppender(log);
    }
    assertThat(log.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .anyMatch(line -> line.contains("Signed in through corp"))
        .anyMatch(line -> line.contains("refused: expired"))
        .noneMatch(line -> line.contains("zed-subject-7731") || line.contains("Zed Unlogged")
            || line.contains("zed@example.com") || line.contains("eyJ"));
  }

  @Test
  void someoneWithoutAMappedGroupIsSignedInButMayNothing() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", "nina", "Nina Nobody", List.of("staff"));
    assertThat(browser.signIn("corp", "/").statusCode()).isEqualTo(303);
    JsonObject session = new JsonObject(browser.get("/api/auth/session").body());
    assertThat(session.getJsonArray("roles")).isEmpty();
    assertProblem(browser.get("/api/events/" + eventId + "/registrations"), 403, "forbidden");
    assertProblem(browser.get("/api/events/" + eventId + "/polls"), 403, "forbidden");
  }

  @Test
  void expiredTokensWrongIssuersAndWrongAudiencesSignNobodyIn() throws Exception {
    Map<String, Map<String, Object>> cases = Map.of(
        "wrong-issuer", Map.of("iss", "http://idp.attacker.example/corp"),
        "wrong-audience", Map.of("aud", List.of("another-app")));
    for (Map.Entry<String, Map<String, Object>> bad : cases.entrySet()) {
      assertRefused(bad.getKey(), bad.getValue(), 3600);
    }
    assertRefused("expired", Map.of(), -600);
    String metrics = api.get("/metrics", null).bodyAsString();
    for (String reason : List.of("wrong-issuer", "wrong-audience", "expired")) {
      assertThat(metrics).containsPattern("foyer_sso_sign_ins_total\\{[^}]*outcome=\"" + reason
          + "\"[^}]*provider=\"corp\"[^}]*\\} [1-9]");
    }
    assertThat(metrics).containsPattern("foyer_sso_key_fetches_total\\{[^}]*provider=\"corp\"[^}]*\\} [1-9]");
  }

  private void assertRefused(String reason, Map<String, Object> claims, long expiry) throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    Map<String, Object> all = new HashMap<>(claims);
    all.put("groups", List.of("foyer-admins"));
    oidc.nextSignIn("corp", "mallory", all, expiry);
    HttpResponse<String> back = browser.signIn("corp", "/");
    assertProblem(back, 401, "sign-in-failed");
    assertThat(new JsonObject(back.body()).getString("reason")).isEqualTo(reason);
    assertThat(new JsonObject(browser.get("/api/auth/session").body()).getBoolean("signedIn")).isFalse();
    assertProblem(browser.get("/api/events/" + eventId + "/registrations"), 401, "unauthorized");
  }

  @Test
  void aStateIsUsedOnceAndOnlyByTheBrowserThatStartedTheSignIn() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", "rita", "Rita Replay", List.of("foyer-admins"));
    assertThat(browser.signIn("corp", "/").statusCode()).isEqualTo(303);

    // the same callback again, from the same browser: refused
    assertProblem(browser.get(browser.lastCallback()), 400, "sign-in-state-invalid");
    // and from another browser (an attacker who saw the address): refused, nobody signed in there
    SignInBrowser other = new SignInBrowser(foyer);
    assertProblem(other.get(browser.lastCallback()), 400, "sign-in-state-invalid");
    assertThat(new JsonObject(other.get("/api/auth/session").body()).getBoolean("signedIn")).isFalse();
  }

  @Test
  void requestsWithoutASignInMakeNoSession() throws Exception {
    SignInBrowser anonymous = new SignInBrowser(foyer);
    assertProblem(anonymous.get("/api/events/" + eventId + "/registrations"), 401, "unauthorized");
    assertProblem(anonymous.send("POST", "/api/events", event("Anonymous"), null), 401, "unauthorized");
    assertThat(new JsonObject(anonymous.get("/api/auth/session").body()).getBoolean("signedIn")).isFalse();
    assertThat(anonymous.get("/api/events/" + eventId).statusCode()).isEqualTo(200);
    // no cookie, so nothing kept in LiveState for them
    assertThat(anonymous.sessionCookie()).isNull();

    // a cookie of a session that is gone (or never was) signs nobody in, and keeps nothing either
    anonymous.useCookie("foyer_session=0123456789abcdef0123456789abcdef");
    assertProblem(anonymous.get("/api/events/" + eventId + "/registrations"), 401, "unauthorized");
    String sessionId = anonymous.sessionCookie().substring("foyer_session=".length());
    assertThat(TestNodes.await(app.live().get("session:" + sessionId))).isNull();
  }

  @Test
  void badSignInRequestsGetClearErrors() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    assertProblem(browser.get("/auth/nosuch/login"), 404, "not-found");
    assertProblem(browser.get("/auth/corp/login?return=https://evil.example/"), 400, "bad-request");
    assertProblem(browser.get("/auth/corp/login?return=//evil.example/"), 400, "bad-request");
    HttpResponse<String> refused = browser.get("/auth/corp/callback?error=access_denied&error_description=no");
    assertProblem(refused, 401, "sign-in-failed");
    assertThat(new JsonObject(refused.body()).getString("reason")).isEqualTo("provider-refused");
    JsonObject providers = new JsonObject(browser.get("/api/auth/providers").body());
    assertThat(providers.getJsonArray("providers").getJsonObject(0).getString("label")).isEqualTo("Example corp");
  }

  @Test
  void signingOutEndsTheSessionHereAndOffersTheProvidersLogout() throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", "olga", "Olga Out", List.of("foyer-admins"));
    assertThat(browser.signIn("corp", "/").statusCode()).isEqualTo(303);
    String csrf = new JsonObject(browser.get("/api/auth/session").body()).getString("csrfToken");

    assertProblem(browser.send("POST", "/api/auth/logout", null, null), 403, "csrf-token-invalid");
    HttpResponse<String> out = browser.send("POST", "/api/auth/logout", null, csrf);
    assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
    String providerLogout = new JsonObject(out.body()).getString("providerLogout");
    assertThat(providerLogout).startsWith(oidc.issuer("corp") + "/endsession")
        .contains("post_logout_redirect_uri=" + java.net.URLEncoder.encode(foyer + "/", "UTF-8"))
        .contains("id_token_hint=");
    assertThat(new JsonObject(browser.get("/api/auth/session").body()).getBoolean("signedIn")).isFalse();
    assertProblem(browser.get("/api/events/" + eventId + "/registrations"), 401, "unauthorized");
  }

  private static int eventCount() throws Exception {
    return api.get("/api/events", ADMIN_KEY).bodyAsJsonObject().getJsonArray("events").size();
  }

  private static String event(String title) {
    return io.foyer.testing.Api.event(new JsonObject().put("title", title)).encode();
  }

  private static JsonObject option(String id, String text) {
    return new JsonObject().put("id", id).put("text", text);
  }

  private static void assertProblem(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
  }
}
