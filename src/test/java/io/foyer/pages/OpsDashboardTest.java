package io.foyer.pages;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.SCOPED_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.Browser;
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ops dashboard (/ops) in headless Chromium against a real node: signing in (a wrong key and a scoped key are
 * refused in plain words), this node's row, counters and rates that move with a registration, a connection that
 * shows, a paused lobby line in the table, an accessibility audit, and a phone-width layout without page scroll.
 */
class OpsDashboardTest {

  static FoyerApp app;
  static Browser browser;
  static Api api;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.launch();
    app = TestNodes.start(Map.of("FOYER_NODE_REGION", "eu-test"));
    api = new Api(app.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (browser != null) browser.close();
    if (app != null) TestNodes.await(app.stop());
  }

  @Test
  void anOperatorSignsInAndWatchesTheNodeItsCountersAndItsLobbies() throws Exception {
    Page page = browser.page("en-US");
    page.navigate(url("/ops"));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Operations"))).isVisible();

    signIn(page, "not-a-key");
    assertThat(page.locator("#signin-error")).containsText("That key was not accepted");
    signIn(page, SCOPED_KEY);
    assertThat(page.locator("#signin-error")).containsText("limited to one event");
    signIn(page, ADMIN_KEY);

    Locator row = page.locator("#nodes tbody tr[data-node='" + app.nodeId() + "']");
    assertThat(row).containsText("eu-test");
    assertThat(row).containsText("(this node)");
    assertThat(row.locator("td").nth(4)).hasText("0");
    assertThat(page.locator("#total-registrations")).hasText("0");
    assertThat(page.locator("#connection")).hasText("Live");

    // a registration moves the total, and the rate computed between two samples
    long eventId = api.createEvent(new JsonObject());
    HttpResponse<Buffer> registered = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee(TestServices.unique("ops") + "@example.org"));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    assertThat(page.locator("#total-registrations")).hasText("1");
    assertThat(page.locator("#text-registrations")).containsText(Pattern.compile("peak (0\\.[1-9]|[1-9])"));

    // the attendee's live page opens a socket: the node's connections and the cluster's go up
    try (WsClient socket = WsClient.connect(app.httpPort(), registered.bodyAsJsonObject().getString("token"))) {
      assertThat(row.locator("td").nth(4)).hasText("1");
      assertThat(page.locator("#total-connections")).hasText("1");
      assertThat(page.locator("#text-connections")).containsText("Now 1 connections");
    }

    // a lobby opened by its organizer, paused with one attendee waiting
    LobbyCalls lobby = new LobbyCalls(api);
    long lobbyEvent = lobby.eventWithLobby(new JsonObject().put("mode", "always"));
    lobby.control(lobbyEvent, "pause");
    lobby.joinToWait(lobbyEvent);
    Locator line = page.locator("#lobbies tbody tr[data-event='" + lobbyEvent + "']");
    assertThat(line).containsText("Event " + lobbyEvent);
    assertThat(line).containsText("open, paused");
    assertThat(line.locator("td").nth(2)).hasText("1");
    assertThat(row).containsText("event " + lobbyEvent);

    Browser.assertAccessible(page);
    Browser.screenshot(page, "ops");

    // the key stays for this tab: a reload shows the dashboard again; signing out forgets it
    page.reload();
    assertThat(row).containsText("eu-test");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(page.getByLabel("Organizer API key")).isVisible();
    assertThat(page.evaluate("() => sessionStorage.getItem('foyer.ops.key')")).isNull();
  }

  @Test
  void atPhoneWidthThePageDoesNotScrollSideways() {
    Page page = browser.page("en-US", 375, 800);
    page.navigate(url("/ops"));
    Browser.assertAccessible(page);
    signIn(page, ADMIN_KEY);
    assertThat(page.locator("#nodes tbody tr[data-node='" + app.nodeId() + "']")).containsText("eu-test");
    assertThat(page.locator("#text-connections")).containsText("Now");
    Object overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
    assertThat(((Number) overflow).intValue()).as("horizontal page scroll in pixels").isLessThanOrEqualTo(0);
    Browser.assertAccessible(page);
    Browser.screenshot(page, "ops-phone");
  }

  private static void signIn(Page page, String key) {
    page.getByLabel("Organizer API key").fill(key);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + app.httpPort() + path;
  }
}
