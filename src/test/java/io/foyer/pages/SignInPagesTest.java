package io.foyer.pages;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.Browser;
import io.foyer.testing.OidcServer;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signing in through the pages in headless Chromium, against a real OpenID Connect provider: an organizer opens
 * the ops dashboard with "Sign in with ...", sees the providers' role rules and signs out at the provider too; a
 * speaker of one event runs its presenter console; someone without a role for the event is told so.
 */
class SignInPagesTest {

  static OidcServer oidc;
  static FoyerApp app;
  static Browser browser;
  static Api api;
  static String foyer;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.launch();
    oidc = OidcServer.start();
    int port = TestServices.freePort();
    foyer = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(oidc.foyerEnvironment(foyer, "corp",
        "foyer-admins=organizer:*,event-{event}-speakers=presenter:{event}"));
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    app = TestNodes.start(env);
    api = new Api(app.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (browser != null) browser.close();
    if (app != null) TestNodes.await(app.stop());
    if (oidc != null) oidc.close();
  }

  @Test
  void anOrganizerSignsInToTheOpsDashboardAndOutAtTheProvider() throws Exception {
    Page page = browser.page("en-US");
    page.navigate(foyer + "/ops");
    oidc.nextSignIn("corp", "alice", "Alice Admin", List.of("foyer-admins"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in with Example corp")).click();

    page.waitForURL(foyer + "/ops");
    assertThat(page.locator("#signed-in-as")).hasText("Signed in as Alice Admin");
    assertThat(page.locator("#dashboard")).isVisible();
    assertThat(page.locator("#sso tbody")).containsText("foyer-admins = organizer:*");
    assertThat(page.locator("#sso tbody")).containsText("event-{event}-speakers = presenter:{event}");
    Browser.assertAccessible(page);
    Browser.screenshot(page, "ops-signed-in");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    // the provider ends its session and sends the browser back to Foyer's start page
    page.waitForURL(foyer + "/");
    page.navigate(foyer + "/ops");
    assertThat(page.locator("#signin")).isVisible();
    assertThat(page.locator("#signed-in-as")).hasText("");
  }

  @Test
  void aSpeakerRunsTheirEventsConsoleAndNoOther() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "Product launch"));
    long otherEvent = api.createEvent(new JsonObject().put("title", "Another launch"));
    Page page = browser.page("en-US");
    page.navigate(foyer + "/present/" + eventId);
    oidc.nextSignIn("corp", "sam", "Sam Speaker", List.of("event-" + eventId + "-speakers"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in with Example corp")).click();

    page.waitForURL(foyer + "/present/" + eventId);
    assertThat(page.locator("#connection")).hasText("Connected");
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Polls"))).isVisible();
    Browser.assertAccessible(page);

    // the same sign-in has no role for another event: the console says so and offers the key form
    page.navigate(foyer + "/present/" + otherEvent);
    assertThat(page.locator("#sign-in-error")).containsText("your roles do not include event " + otherEvent);
    assertThat(page.getByLabel("Organizer API key or presenter token")).isVisible();
  }
}
