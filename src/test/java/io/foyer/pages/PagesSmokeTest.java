package io.foyer.pages;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import io.foyer.FoyerApp;
import io.foyer.testing.Browser;
import io.foyer.testing.TestNodes;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
  void servesTheLanguagesAndWebJars() {
    Page page = browser.page("en-US");
    page.navigate("http://127.0.0.1:" + app.httpPort() + "/app/i18n/languages.json");
    assertThat(page.content()).contains("languages");
    var response = page.navigate("http://127.0.0.1:" + app.httpPort() + "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
    assertThat(response.status()).isEqualTo(200);
  }
}
