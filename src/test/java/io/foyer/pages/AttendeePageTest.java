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
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TcpProxy;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attendee app (/e/{id}) in headless Chromium against a real node: registering through the lobby, then the live
 * event (announcements, a poll and its revealed results, a quiz question and its podium), a cut connection that
 * resumes without losing a message, the languages, and an accessibility audit of each screen.
 */
class AttendeePageTest {

  static FoyerApp app;
  static Browser browser;
  static Api api;
  static LobbyCalls lobby;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.launch();
    app = TestNodes.start(Map.of());
    api = new Api(app.httpPort());
    lobby = new LobbyCalls(api);
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (browser != null) browser.close();
    if (app != null) TestNodes.await(app.stop());
  }

  @Test
  void anAttendeeWaitsInTheLobbyRegistersAndTakesPartLive() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "Spring launch").put("fields", new JsonArray()
        .add(new JsonObject().put("id", "company").put("label", "Company").put("type", "text").put("required", true))
        .add(new JsonObject().put("id", "role").put("label", "Role").put("type", "single_choice")
            .put("options", new JsonArray().add("Developer").add("Manager")))
        .add(new JsonObject().put("id", "country").put("label", "Country").put("type", "country"))));
    api.createSession(eventId);
    // the line is open but paused: the attendee gets a place and waits until the organizer resumes it
    organizer(HttpMethod.PUT, eventId, "/lobby/settings", new JsonObject().put("mode", "always"));
    organizer(HttpMethod.POST, eventId, "/lobby/pause", null);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lobby.line(eventId).getBoolean("open"));

    for (int i = 0; i < 40; i++) {
      lobby.joinToWait(eventId);
    }

    Page page = browser.page("en-US");
    page.navigate(url("/e/" + eventId));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("You are in line"))).isVisible();
    assertThat(page.locator("#lobby-place")).hasText("41");
    assertThat(page.locator("#lobby-ahead")).hasText("40 people ahead of you");
    assertThat(page.getByText("The line is paused by the organizer")).isVisible();
    Browser.assertAccessible(page);
    Browser.screenshot(page, "attendee-lobby");
    // a reload keeps the place (a new join would be place 42)
    page.reload();
    assertThat(page.locator("#lobby-place")).hasText("41");
    assertThat(lobby.state(eventId).getLong("issued")).isEqualTo(41L);

    organizer(HttpMethod.POST, eventId, "/lobby/resume", null);
    assertThat(page.getByText("It is your turn. Please register before")).isVisible();
    Locator form = page.locator("form");
    form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register")).click();
    assertThat(page.locator("#f-name-error")).hasText("This field is required.");
    assertThat(page.locator("#f-answers-company-error")).hasText("This field is required.");
    Browser.assertAccessible(page);

    String email = TestServices.unique("ada") + "@example.org";
    page.getByLabel("Your name").fill("Ada Lovelace");
    page.getByLabel("Your email").fill(email);
    page.getByLabel("Company").fill("Analytical Engines");
    page.getByLabel("Manager").check();
    page.getByLabel("Country").selectOption("FR");
    page.getByLabel("I agree that the organizer keeps my registration data").check();
    form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Register")).click();

    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Welcome, Ada Lovelace"))).isVisible();
    assertThat(page.locator("#connection")).hasText("Connected");
    assertThat(page.getByText("You are registered.")).isVisible();
    JsonObject stored = api.get("/api/events/" + eventId + "/registrations", ADMIN_KEY).bodyAsJsonObject()
        .getJsonArray("registrations").getJsonObject(0);
    assertThat(stored.getString("email")).isEqualTo(email);
    assertThat(stored.getJsonObject("answers").getString("country")).isEqualTo("FR");

    // an announcement arrives as a notification and stays in the feed
    organizer(HttpMethod.POST, eventId, "/announcements", new JsonObject().put("title", "Welcome")
        .put("body", "Doors open in 5 minutes"));
    assertThat(page.locator("#feed")).containsText("Doors open in 5 minutes");
    assertThat(page.locator(".toast")).containsText("Doors open in 5 minutes");

    // a poll: launched, voted, revealed
    long pollId = organizer(HttpMethod.POST, eventId, "/polls", new JsonObject().put("kind", "single_choice")
        .put("question", "Which fruit?").put("options", new JsonArray()
            .add(new JsonObject().put("id", "a").put("text", "Apples"))
            .add(new JsonObject().put("id", "b").put("text", "Pears")))).getLong("id");
    organizer(HttpMethod.POST, eventId, "/polls/" + pollId + "/launch", null);
    Locator poll = page.locator("[data-poll='" + pollId + "']");
    assertThat(poll.getByRole(AriaRole.HEADING)).hasText("Which fruit?");
    poll.getByLabel("Apples").check();
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Vote")).click();
    assertThat(poll.locator("#poll-mine-" + pollId)).hasText("Your vote was recorded: Apples");
    JsonObject results = api.get("/api/events/" + eventId + "/polls/" + pollId + "/results", ADMIN_KEY)
        .bodyAsJsonObject();
    assertThat(results.getInteger("ballots")).isEqualTo(1);
    assertThat(results.getJsonObject("counts").getInteger("a")).isEqualTo(1);
    organizer(HttpMethod.POST, eventId, "/polls/" + pollId + "/reveal", null);
    assertThat(poll.locator(".bars li.mine")).containsText("Apples ✓");
    assertThat(poll.locator(".bars li.mine")).containsText("1 · 100%");
    Browser.assertAccessible(page);
    Browser.screenshot(page, "attendee");

    // a quiz question: answered, closed, the podium shown with the player in it
    long quizId = organizer(HttpMethod.POST, eventId, "/quizzes", new JsonObject().put("title", "Fruit quiz")
        .put("questions", new JsonArray().add(new JsonObject().put("kind", "single_choice")
            .put("question", "Which fruit is a pome?").put("correct", new JsonArray().add("a"))
            .put("timeLimitSeconds", 60).put("options", new JsonArray()
                .add(new JsonObject().put("id", "a").put("text", "Apples"))
                .add(new JsonObject().put("id", "b").put("text", "Plums")))))).getLong("id");
    organizer(HttpMethod.POST, eventId, "/quizzes/" + quizId + "/start", null);
    organizer(HttpMethod.POST, eventId, "/quizzes/" + quizId + "/next", null);
    Locator quiz = page.locator("#quiz");
    assertThat(quiz).containsText("Which fruit is a pome?");
    assertThat(quiz.locator("#quiz-countdown")).not().isEmpty();
    Browser.assertAccessible(page);
    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apples")).click();
    assertThat(quiz.locator("#quiz-answered")).containsText("Answer recorded");
    organizer(HttpMethod.POST, eventId, "/quizzes/" + quizId + "/close", null);
    assertThat(quiz.locator("#quiz-correct")).hasText("Correct answer: Apples");
    assertThat(quiz.locator("#quiz-podium li.me")).containsText("(you)");
    assertThat(quiz.locator("#quiz-mine")).containsText("Correct!");
    assertThat(quiz.locator("#quiz-mine")).containsText("rank 1 of 1");
    Browser.assertAccessible(page);
    Browser.screenshot(page, "attendee-quiz");
    page.context().close();
  }

  @Test
  void everyKindOfQuestionCanBeAnsweredWithTheKeyboard() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonArray fruits = new JsonArray().add(new JsonObject().put("id", "a").put("text", "Apples"))
        .add(new JsonObject().put("id", "b").put("text", "Pears")).add(new JsonObject().put("id", "c").put("text", "Plums"));
    long multiple = launchPoll(eventId, new JsonObject().put("kind", "multiple_choice").put("question", "Which do you eat?")
        .put("options", fruits).put("maxPicks", 2));
    long rating = launchPoll(eventId, new JsonObject().put("kind", "rating").put("question", "How was the keynote?")
        .put("scale", new JsonObject().put("min", 1).put("max", 5).put("labels", new JsonObject().put("1", "Poor").put("5", "Great"))));
    long ranking = launchPoll(eventId, new JsonObject().put("kind", "ranking").put("question", "Rank the fruits")
        .put("options", fruits));
    long cloud = launchPoll(eventId, new JsonObject().put("kind", "word_cloud").put("question", "One word for today?"));
    Page page = browser.page("en-US");
    page.navigate(url("/e/" + eventId));
    registerThroughForm(page);

    Locator poll = page.locator("[data-poll='" + multiple + "']");
    assertThat(poll).containsText("Choose up to 2.");
    poll.getByLabel("Apples").press("Space");
    poll.getByLabel("Plums").press("Space");
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Vote")).press("Enter");
    assertThat(poll.locator("#poll-mine-" + multiple)).hasText("Your vote was recorded: Apples, Plums");

    poll = page.locator("[data-poll='" + rating + "']");
    poll.getByLabel("5 – Great").check();
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Vote")).click();
    assertThat(poll.locator("#poll-mine-" + rating)).hasText("Your vote was recorded: 5");

    // ranking: Plums to the top with the keyboard (two moves up), then vote
    poll = page.locator("[data-poll='" + ranking + "']");
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Move Plums up")).press("Enter");
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Move Plums up")).press("Enter");
    assertThat(poll.locator("ol li").first()).containsText("Plums");
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Vote")).click();
    assertThat(poll.locator("#poll-mine-" + ranking)).hasText("Your vote was recorded: Plums › Apples › Pears");

    poll = page.locator("[data-poll='" + cloud + "']");
    poll.getByLabel("Your answer").fill("  Big   DATA ");
    poll.getByLabel("Your answer").press("Enter");
    assertThat(poll.locator("#poll-mine-" + cloud)).hasText("Your vote was recorded: big data");
    organizer(HttpMethod.POST, eventId, "/polls/" + cloud + "/reveal", null);
    assertThat(poll.locator(".word-cloud li")).hasText("big data (1)");
    organizer(HttpMethod.POST, eventId, "/polls/" + ranking + "/reveal", null);
    assertThat(page.locator("[data-poll='" + ranking + "'] .bars li").first()).containsText("Apples");
    assertThat(page.locator("[data-poll='" + ranking + "'] .bars li").nth(2)).containsText("2 points");
    Browser.assertAccessible(page);
    page.context().close();
  }

  @Test
  void theAdmissionThatRegisteredAlsoOpensAGuardedLivePage() throws Exception {
    long eventId = lobby.openLobby(new JsonObject().put("admissionRate", 100).put("guardLiveAbove", 1));
    String ticket = lobby.joinToWait(eventId).getString("ticket");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lobby.exchange(eventId, ticket).statusCode() == 200);
    String admission = lobby.exchange(eventId, ticket).bodyAsJsonObject().getString("admission");
    String token = lobby.register(eventId, TestServices.unique("first") + "@example.org", admission)
        .bodyAsJsonObject().getString("token");
    try (WsClient first = WsClient.connect(app.httpPort(), token + "&admission=" + admission)) {
      assertThat(first.next("welcome").getString("role")).isEqualTo("attendee");
      Page page = browser.page("en-US");
      page.navigate(url("/e/" + eventId));
      assertThat(page.getByText("It is your turn. Please register before")).isVisible();
      registerThroughForm(page);
      // one place in line for this attendee: the live page took the admission it registered with
      assertThat(lobby.state(eventId).getLong("issued")).isEqualTo(2L);
      page.context().close();
    }
  }

  @Test
  void aCutConnectionResumesWithoutLosingOrRepeatingAMessage() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    try (TcpProxy proxy = TcpProxy.to("http://127.0.0.1:" + app.httpPort())) {
      Page page = browser.page("en-US");
      page.navigate(proxy.through(url("/e/" + eventId)));
      registerThroughForm(page);
      organizer(HttpMethod.POST, eventId, "/announcements", new JsonObject().put("body", "before the cut"));
      assertThat(page.locator("#feed li")).hasCount(1);

      proxy.cut();
      assertThat(page.locator("#connection")).hasText("Reconnecting…");
      organizer(HttpMethod.POST, eventId, "/announcements", new JsonObject().put("body", "sent while cut off"));
      proxy.restore();

      assertThat(page.locator("#connection")).hasText("Connected", new com.microsoft.playwright.assertions
          .LocatorAssertions.HasTextOptions().setTimeout(40_000));
      assertThat(page.locator("#feed li")).hasCount(2);
      assertThat(page.locator("#feed")).containsText("sent while cut off");
      organizer(HttpMethod.POST, eventId, "/announcements", new JsonObject().put("body", "after the return"));
      assertThat(page.locator("#feed li")).hasCount(3);

      // a reload resumes from where the page was: the same three, once each
      page.reload();
      assertThat(page.locator("#connection")).hasText("Connected");
      assertThat(page.locator("#feed li")).hasCount(3);
      page.context().close();
    }
  }

  @Test
  void thePageSpeaksTheBrowsersLanguageAndSwitches() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    Page page = browser.page("de-DE");
    page.navigate(url("/e/" + eventId));
    assertThat(page.locator("html")).hasAttribute("lang", "de");
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Anmelden"))).isVisible();
    for (String[] language : new String[][] {{"nl", "Inschrijven"}, {"fr", "S’inscrire"}, {"it", "Iscriviti"},
        {"pl", "Zarejestruj się"}, {"en", "Register"}}) {
      page.getByLabel("Language").or(page.locator("#language")).first().selectOption(language[0]);
      assertThat(page.locator("html")).hasAttribute("lang", language[0]);
      assertThat(page.locator("#reg-title")).hasText(language[1]);
    }
    // what was typed survives a change of language
    page.locator("#f-name").fill("Grace Hopper");
    page.locator("#language").selectOption("pl");
    assertThat(page.locator("#reg-title")).hasText("Zarejestruj się");
    assertThat(page.locator("#f-name")).hasValue("Grace Hopper");
    registerThroughForm(page);
    // a poll with a Polish translation comes in Polish to this attendee, registered in Polish
    long pollId = organizer(HttpMethod.POST, eventId, "/polls", new JsonObject().put("kind", "single_choice")
        .put("question", "Which fruit?").put("translations", new JsonObject().put("pl", "Który owoc?"))
        .put("options", new JsonArray()
            .add(new JsonObject().put("id", "a").put("text", "Apples").put("translations", new JsonObject().put("pl", "Jabłka")))
            .add(new JsonObject().put("id", "b").put("text", "Pears")))).getLong("id");
    organizer(HttpMethod.POST, eventId, "/polls/" + pollId + "/launch", null);
    Locator poll = page.locator("[data-poll='" + pollId + "']");
    assertThat(poll.getByRole(AriaRole.HEADING)).hasText("Który owoc?");
    assertThat(poll.getByLabel("Jabłka")).isVisible();
    page.context().close();
  }

  @Test
  void fitsAPhoneScreen() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("description", "A long description ".repeat(20)));
    api.createSession(eventId);
    Page page = browser.page("en-US", 375, 740);
    page.navigate(url("/e/" + eventId));
    assertThat(page.locator("#reg-title")).isVisible();
    assertThat((Boolean) page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
    registerThroughForm(page);
    assertThat((Boolean) page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
    Browser.screenshot(page, "attendee-phone");
    page.context().close();
  }

  private static long launchPoll(long eventId, JsonObject definition) throws Exception {
    long pollId = organizer(HttpMethod.POST, eventId, "/polls", definition).getLong("id");
    organizer(HttpMethod.POST, eventId, "/polls/" + pollId + "/launch", null);
    return pollId;
  }

  /** Fills the form of an event without custom fields and waits for the live view. */
  private static void registerThroughForm(Page page) {
    page.locator("#f-name").fill("Grace Hopper");
    page.locator("#f-email").fill(TestServices.unique("grace") + "@example.org");
    page.locator("#f-consent").check();
    page.locator("form button[type=submit]").click();
    assertThat(page.locator("#welcome h2")).containsText("Grace Hopper");
    assertThat(page.locator("#connection")).hasAttribute("data-state", "online");
  }

  private static JsonObject organizer(HttpMethod method, long eventId, String path, JsonObject body) throws Exception {
    HttpResponse<Buffer> response = api.send(method, "/api/events/" + eventId + path, ADMIN_KEY,
        body == null && method != HttpMethod.GET ? new JsonObject() : body);
    assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isBetween(200, 299);
    return response.bodyAsString().isEmpty() ? new JsonObject() : response.bodyAsJsonObject();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + app.httpPort() + path;
  }
}
