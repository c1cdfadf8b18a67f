package io.foyer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Headless Chromium driven by Playwright, for the tests of the pages. The browser is the system's (Debian's
 * chromium at /usr/bin/chromium, or FOYER_TEST_CHROMIUM): Playwright's own download is not reachable here. On a
 * machine without it the calling test is skipped with one line; in CI (CI=true), where .ci/run installs it, a
 * missing browser fails the test instead.
 */
public final class Browser implements AutoCloseable {

  private static final String AXE = "META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";
  /** Where the tests leave screenshots of the pages (README.md shows copies kept in docs/screenshots). */
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private final Playwright playwright;
  private final com.microsoft.playwright.Browser browser;

  private Browser(Playwright playwright, com.microsoft.playwright.Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  /** Starts headless Chromium, or skips the calling test (fails it in CI) when there is none. */
  public static Browser launch() {
    Optional<Path> executable = chromium();
    if (executable.isEmpty() && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but Chromium is not installed (.ci/run installs Debian's chromium)");
    }
    assumeTrue(executable.isPresent(), "Chromium is not installed (apt-get install chromium): page tests skipped");
    Playwright playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      // the flags keep Chromium from reaching for Google's services, which this closed network refuses
      com.microsoft.playwright.Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(executable.get()).setHeadless(true)
          .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync")));
      return new Browser(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  private static Optional<Path> chromium() {
    String configured = System.getenv("FOYER_TEST_CHROMIUM");
    for (String candidate : configured != null ? List.of(configured) : List.of("/usr/bin/chromium",
        "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      Path path = Path.of(candidate);
      if (Files.isExecutable(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  /** A new browser profile (its own storage) with a desktop window, in the given language (e.g. "en-US"). */
  public Page page(String locale) {
    return page(locale, 1280, 800);
  }

  /** A new browser profile (its own storage) with a window of the given size, in the given language. */
  public Page page(String locale, int width, int height) {
    BrowserContext context = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
        .setLocale(locale).setViewportSize(width, height));
    context.setDefaultTimeout(15_000);
    return context.newPage();
  }

  /**
   * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and asserts that nothing serious or critical
   * is found; returns the minor findings' rule ids, for a test that wants to say more.
   */
  @SuppressWarnings("unchecked")
  public static List<String> assertAccessible(Page page) {
    // evaluated by the browser's debugging protocol, which the pages' Content-Security-Policy does not govern (a
    // script tag would be refused, as it should be)
    page.evaluate(axeSource() + "\n;void 0");
    List<Map<String, Object>> violations = (List<Map<String, Object>>) page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
            + "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations.map(v => ({id: v.id, "
            + "impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))");
    List<String> serious = new ArrayList<>();
    List<String> minor = new ArrayList<>();
    for (Map<String, Object> violation : violations) {
      String impact = String.valueOf(violation.get("impact"));
      if (impact.equals("serious") || impact.equals("critical")) {
        serious.add(violation.get("id") + " (" + impact + "): " + violation.get("help") + " at " + violation.get("nodes"));
      } else {
        minor.add(String.valueOf(violation.get("id")));
      }
    }
    assertThat(serious).as("accessibility violations on " + page.url()).isEmpty();
    return minor;
  }

  /** Saves a screenshot of the whole page as target/screenshots/{name}.png. */
  public static Path screenshot(Page page, String name) {
    Path file = SCREENSHOTS.resolve(name + ".png");
    page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
    return file;
  }

  private static String axeSource() {
    try (InputStream in = Browser.class.getClassLoader().getResourceAsStream(AXE)) {
      if (in == null) {
        throw new IllegalStateException(AXE + " is not on the test classpath (org.webjars.npm:axe-core)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
