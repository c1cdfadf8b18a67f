package io.foyer.pages;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.Browser;
import io.foyer.testing.OidcServer;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attendee page for events that do not take everyone: an invitation link's code is used, a wrong one is
 * told; an 'sso' event asks to sign in (or says it cannot) and registers the person signed in, in Chromium.
 */
class RegistrationModesPageTest {

  static Browser browser;
  static FoyerApp plain;
  static Api plainApi;
  static OidcServer oidc;
  static FoyerApp withSignIn;
  static Api signInApi;
  static String foyer;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.launch();
    plain = TestNodes.start(Map.of());
    plainApi = new Api(plain.httpPort());
    oidc = OidcServer.start();
    int port = TestServices.freePort();
    foyer = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(oidc.foyerEnvironment(foyer, "corp", "foyer-admins=organizer:*"));
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    env.put("FOYER_SSO_PROVIDERS_CORP_ATTENDEES", "true");
    withSignIn = TestNodes.start(env);
    signInApi = new Api(withSignIn.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (plainApi != null) plainApi.close();
    if (signInApi != null) signInApi.close();
    if (browser != null) browser.close();
    if (plain != null) TestNodes.await(plain.stop());
    if (withSignIn != null) TestNodes.await(withSignIn.stop());
    if (oidc != null) oidc.close();
  }

  @Test
  void anInvitationLinksCodeIsUsedAndTheAttendeeIsRegistered() throws Exception {
    long eventId = plainApi.createEvent(new JsonObject().put("title", "Partner day").put("registrationMode", "invite"));
    String code = makeCode(eventId);

    Page page = browser.page("en-US");
    page.navigate(plainUrl("/e/" + eventId + "?invite=" + code));
    assertThat(page.getByLabel("Invite code")).hasValue(code);
    assertThat(page.getByText("Registration for this event is by invitation")).isVisible();
    Browser.assertAccessible(page);
    Browser.screenshot(page, "attendee-invite");
    page.getByLabel("Your name").fill("Ada Lovelace");
    page.getByLabel("Your email").fill(TestServices.unique("ada") + "@example.org");
    page.getByLabel("I agree that the organizer keeps my registration data").check();
    page.locator("form").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register")).click();

    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Welcome, Ada Lovelace")))
        .isVisible();
    JsonArray invites = plainApi.get("/api/events/" + eventId + "/invites", ADMIN_KEY).bodyAsJsonObject()
        .getJsonArray("invites");
    assertThat(invites.getJsonObject(0).getInteger("usesLeft")).isZero();
  }

  @Test
  void aWrongCodeIsToldAtTheFieldAndNothingIsStored() throws Exception {
    long eventId = plainApi.createEvent(new JsonObject().put("title", "Board day").put("registrationMode", "invite"));
    makeCode(eventId);

    Page page = browser.page("en-US");
    page.navigate(plainUrl("/e/" + eventId + "?invite=wrong-code-123"));
    page.getByLabel("Your name").fill("Grace Hopper");
    page.getByLabel("Your email").fill(TestServices.unique("grace") + "@example.org");
    page.getByLabel("I agree that the organizer keeps my registration data").check();
    page.locator("form").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register")).click();

    String told = "This invite code is not valid for this event. Check it, or ask the organizer.";
    assertThat(page.locator("#reg-status")).hasText(told);
    assertThat(page.locator("#f-inviteCode-error")).hasText(told);
    assertThat(page.getByLabel("Invite code")).hasAttribute("aria-invalid", "true");
    assertThat(page.getByLabel("Invite code")).isFocused();
    Browser.assertAccessible(page);
    assertThat(plainApi.get("/api/events/" + eventId + "/registrations", ADMIN_KEY).bodyAsJsonObject()
        .getLong("total")).isZero();

    // an empty code is told before anything is sent, in the page's language
    page.getByLabel("Invite code").fill("");
    page.locator("form").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register")).click();
    assertThat(page.locator("#f-inviteCode-error")).hasText("Enter the invite code from your invitation.");
  }

  @Test
  void anSsoEventOnANodeWithoutSignInSaysRegistrationIsNotPossibleHere() throws Exception {
    long eventId = plainApi.createEvent(new JsonObject().put("title", "Staff day").put("registrationMode", "sso"));

    Page page = browser.page("en-US");
    page.navigate(plainUrl("/e/" + eventId));

    assertThat(page.getByText("Sign-in is not available right now")).isVisible();
    assertThat(page.getByLabel("Your email")).hasCount(0);
    Browser.assertAccessible(page);
  }

  @Test
  void anSsoEventIsRegisteredForBySigningInWithTheNameAndEmailOfTheSignIn() throws Exception {
    long eventId = signInApi.createEvent(new JsonObject().put("title", "All hands").put("registrationMode", "sso"));

    Page page = browser.page("en-US");
    page.navigate(foyer + "/e/" + eventId);
    assertThat(page.getByText("Your name and email address come from your sign-in")).isVisible();
    assertThat(page.getByLabel("Your email")).hasCount(0);
    Browser.assertAccessible(page);
    oidc.nextSignIn("corp", "rita", "Rita Reader", List.of("staff"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in with Example corp")).click();

    page.waitForURL(foyer + "/e/" + eventId);
    assertThat(page.getByText("Signed in as Rita Reader (rita@example.com).")).isVisible();
    page.getByLabel("I agree that the organizer keeps my registration data").check();
    page.locator("form").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register")).click();

    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Welcome, Rita Reader")))
        .isVisible();
    JsonObject stored = signInApi.get("/api/events/" + eventId + "/registrations", ADMIN_KEY).bodyAsJsonObject()
        .getJsonArray("registrations").getJsonObject(0);
    assertThat(stored.getString("email")).isEqualTo("rita@example.com");
  }

  private static String makeCode(long eventId) throws Exception {
    HttpResponse<Buffer> made = plainApi.post("/api/events/" + eventId + "/invites", ADMIN_KEY,
        new JsonObject().put("uses", 1));
    assertThat(made.statusCode()).as(made.bodyAsString()).isEqualTo(201);
    return made.bodyAsJsonObject().getJsonArray("invites").getJsonObject(0).getString("code");
  }

  private static String plainUrl(String path) {
    return "http://127.0.0.1:" + plain.httpPort() + path;
  }
}
