package io.foyer.pages;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.Browser;
import io.foyer.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The landing page, the pages' assets, and what the attendee page says at an address that names no event. */
class PagesSmokeTest {

  static FoyerApp app;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.launch();
    app = TestNodes.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (app != null) TestNodes.await(app.stop());
  }

  @Test
  void theLandingPageLeadsToAnEvent() throws Exception {
    long eventId;
    try (Api api = new Api(app.httpPort())) {
      eventId = api.createEvent(new JsonObject().put("title", "Landing test"));
    }
    Page page = browser.page("en-US");
    var landing = page.navigate(url("/"));
    // the browser runs the pages' own scripts only, and no other site frames them
    assertThat(landing.headers().get("content-security-policy")).contains("script-src 'self'", "frame-ancestors 'none'");
    assertThat(page.locator("#status")).hasText("This node is ready");
    Browser.assertAccessible(page);
    page.getByLabel("Event number").first().fill(Long.toString(eventId));
    page.getByText("Open the event").click();
    assertThat(page.locator("#event-title")).hasText("Landing test");
    page.context().close();
  }

  @Test
  void anAddressWithoutAnEventSaysSo() {
    Page page = browser.page("en-US");
    page.navigate(url("/e/999999999"));
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT)).hasText("There is no such event.");
    page.navigate(url("/e/launch"));
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT))
        .hasText("This address does not name an event.");
    page.context().close();
  }

  @Test
  void servesTheLanguagesAndWebJars() {
    Page page = browser.page("en-US");
    var languages = page.navigate(url("/app/i18n/languages.json"));
    assertThat(languages.status()).isEqualTo(200);
    assertThat(page.content()).contains("\"tag\":\"en\"", "\"name\":\"English\"");
    var uplot = page.navigate(url("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js"));
    assertThat(uplot.status()).isEqualTo(200);
    page.context().close();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + app.httpPort() + path;
  }
}
