package io.foyer.registration;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.OidcServer;
import io.foyer.testing.SignInBrowser;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Registration for an 'sso' event by people signed in through a real OpenID Connect provider: name and email
 * from the sign-in, one registration per person however often they come back, the CSRF token required.
 */
class SsoRegistrationTest {

  private static OidcServer oidc;
  private static FoyerApp app;
  private static Api api;
  private static String foyer;

  @BeforeAll
  static void start() throws Exception {
    oidc = OidcServer.start();
    int port = TestServices.freePort();
    foyer = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(oidc.foyerEnvironment(foyer, "corp", "foyer-admins=organizer:*"));
    env.put("FOYER_SSO_PROVIDERS_CORP_ATTENDEES", "true");
    // a second provider, for staff only: its sign-ins run events but do not register attendees
    env.putAll(oidc.foyerEnvironment(foyer, "staff", "foyer-admins=organizer:*"));
    env.put("FOYER_SSO_PROVIDERS_STAFF_ATTENDEES", "false");
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    app = TestNodes.start(env);
    api = new Api(app.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (app != null) await(app.stop());
    if (oidc != null) oidc.close();
  }

  @Test
  void someoneSignedInRegistersWithTheirSignInsNameAndEmailAndComesBackToTheSameRegistration() throws Exception {
    long eventId = ssoEvent();
    SignInBrowser browser = signedIn("ines", "Ines Invited", "ines@example.com");

    HttpResponse<String> first = browser.send("POST", path(eventId), body().put("language", "fr").encode(),
        csrf(browser));

    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    JsonObject registration = new JsonObject(first.body());
    assertThat(registration.getString("name")).isEqualTo("Ines Invited");
    assertThat(registration.getString("email")).isEqualTo("ines@example.com");
    assertThat(registration.getString("language")).isEqualTo("fr");
    Row stored = await(app.store().pool().preparedQuery(
        "SELECT sso_provider, sso_subject FROM registrations WHERE id = $1::uuid")
        .execute(Tuple.of(registration.getString("id")))).iterator().next();
    assertThat(stored.getString("sso_provider")).isEqualTo("corp");
    assertThat(stored.getString("sso_subject")).isEqualTo("ines");
    JsonObject export = api.get(path(eventId) + "/" + registration.getString("id") + "/export", ADMIN_KEY)
        .bodyAsJsonObject();
    assertThat(export.getJsonObject("origin").getJsonObject("signIn"))
        .as("the sign-in is personal data the export shows").isEqualTo(new JsonObject().put("provider", "corp")
            .put("subject", "ines"));

    // signing in again, even with the email changed at the provider since: the same person, the same registration
    SignInBrowser later = signedIn("ines", "Ines Invited", "ines.new@example.com");
    HttpResponse<String> again = later.send("POST", path(eventId), body().encode(), csrf(later));

    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    JsonObject back = new JsonObject(again.body());
    assertThat(back.getBoolean("alreadyRegistered")).isTrue();
    assertThat(back.getString("id")).isEqualTo(registration.getString("id"));
    assertThat(back.getString("token")).as("their own registration, so its token again").isNotBlank();
    assertThat(api.get(path(eventId) + "/me", back.getString("token")).statusCode()).isEqualTo(200);
    assertThat(count(eventId)).isEqualTo(1);
  }

  @Test
  void withoutTheCsrfTokenOrWithTypedNameAndEmailNothingIsStored() throws Exception {
    long eventId = ssoEvent();
    SignInBrowser browser = signedIn("otto", "Otto Other", "otto@example.com");

    assertProblem(browser.send("POST", path(eventId), body().encode(), null), 403, "csrf-token-invalid");
    assertProblem(browser.send("POST", path(eventId), body().encode(), csrf(browser) + "x"), 403,
        "csrf-token-invalid");
    HttpResponse<String> typed = browser.send("POST", path(eventId), body().put("name", "Someone")
        .put("email", "someone@example.org").encode(), csrf(browser));
    assertProblem(typed, 422, "validation-failed");
    assertThat(typed.body()).contains("is taken from your sign-in");
    assertThat(count(eventId)).isZero();
  }

  @Test
  void aSignInThroughAProviderForStaffOnlyDoesNotRegister() throws Exception {
    long eventId = ssoEvent();
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("staff", "sven", "Sven Staff", List.of());
    assertThat(browser.signIn("staff", "/").statusCode()).isEqualTo(303);

    assertProblem(browser.send("POST", path(eventId), body().encode(), csrf(browser)), 403, "forbidden");
    assertThat(count(eventId)).isZero();
  }

  @Test
  void aSignInThatGaveNoEmailIsRefusedClearly() throws Exception {
    long eventId = ssoEvent();
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", "noemail", Map.of("name", "No Mail"), 3600);
    assertThat(browser.signIn("corp", "/").statusCode()).isEqualTo(303);

    assertProblem(browser.send("POST", path(eventId), body().encode(), csrf(browser)), 403, "sign-in-email-missing");
    assertThat(count(eventId)).isZero();
  }

  @Test
  void nobodySignedInIsToldToSignIn() throws Exception {
    long eventId = ssoEvent();
    HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(foyer + path(eventId))).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body().encode())).build(), HttpResponse.BodyHandlers.ofString());

    assertProblem(anonymous, 401, "sign-in-required");
    assertThat(count(eventId)).isZero();
  }

  @Test
  void anIdempotencyKeyIsOnePersonsOwn() throws Exception {
    long eventId = ssoEvent();
    String key = TestServices.unique("idem");
    SignInBrowser first = signedIn("kim", "Kim", "kim@example.com");
    SignInBrowser second = signedIn("lee", "Lee", "lee@example.com");

    HttpResponse<String> kims = withKey(first, eventId, key);
    HttpResponse<String> kimsRetry = withKey(first, eventId, key);
    HttpResponse<String> lees = withKey(second, eventId, key);

    assertThat(kims.statusCode()).as(kims.body()).isEqualTo(201);
    assertThat(kimsRetry.body()).isEqualTo(kims.body());
    // the same body and key from someone else is another request, and never answered with Kim's registration
    assertProblem(lees, 422, "idempotency-key-reused");
    assertThat(count(eventId)).isEqualTo(1);
  }

  @Test
  void aSignedInBrowserRegistersForAnOpenEventAsAnyoneDoes() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    SignInBrowser browser = signedIn("olga", "Olga", "olga@example.com");

    HttpResponse<String> open = browser.send("POST", path(eventId),
        Api.attendee("typed@example.org").encode(), null);

    assertThat(open.statusCode()).as(open.body()).isEqualTo(201);
    assertThat(new JsonObject(open.body()).getString("email")).isEqualTo("typed@example.org");
  }

  private static long ssoEvent() throws Exception {
    return api.createEvent(new JsonObject().put("registrationMode", "sso"));
  }

  private SignInBrowser signedIn(String subject, String name, String email) throws Exception {
    SignInBrowser browser = new SignInBrowser(foyer);
    oidc.nextSignIn("corp", subject, Map.of("name", name, "email", email, "email_verified", true,
        "groups", List.of()), 3600);
    HttpResponse<String> back = browser.signIn("corp", "/");
    assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
    return browser;
  }

  private static String csrf(SignInBrowser browser) throws Exception {
    return new JsonObject(browser.get("/api/auth/session").body()).getString("csrfToken");
  }

  private static HttpResponse<String> withKey(SignInBrowser browser, long eventId, String key) throws Exception {
    String csrf = csrf(browser);
    HttpRequest request = HttpRequest.newBuilder(URI.create(foyer + path(eventId)))
        .header("Content-Type", "application/json").header("X-CSRF-Token", csrf).header("Idempotency-Key", key)
        .header("Cookie", browser.sessionCookie())
        .POST(HttpRequest.BodyPublishers.ofString(body().encode())).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject body() {
    return new JsonObject().put("consent", true);
  }

  private static long count(long eventId) throws Exception {
    return await(app.store().pool().preparedQuery("SELECT count(*) FROM registrations WHERE event_id = $1")
        .execute(Tuple.of(eventId))).iterator().next().getLong(0);
  }

  private static String path(long eventId) {
    return "/api/events/" + eventId + "/registrations";
  }

  private static void assertProblem(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo(code);
  }
}
