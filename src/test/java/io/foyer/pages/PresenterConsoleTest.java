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
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The presenter console (/present/{id}) in headless Chromium against a real node: a presenter signs in with a
 * presenter token, creates and runs a poll whose vote arrives live, runs a quiz to its leaderboard, sees the
 * audience; a wrong key is refused in words; every screen passes the accessibility audit and fits a phone.
 */
class PresenterConsoleTest {

  static FoyerApp app;
  static Browser browser;
  static Api api;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.launch();
    app = TestNodes.start(Map.of());
    api = new Api(app.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) api.close();
    if (browser != null) browser.close();
    if (app != null) TestNodes.await(app.stop());
  }

  @Test
  void aPresenterRunsAPollAndAQuizLive() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "Spring launch"));
    String presenter = api.issuePresenterToken(eventId, null).getString("token");
    String attendee = register(eventId);
    long quizId = created(api.post("/api/events/" + eventId + "/quizzes", ADMIN_KEY, new JsonObject()
        .put("title", "Fruit quiz").put("questions", new JsonArray().add(new JsonObject()
            .put("kind", "single_choice").put("question", "Which fruit is a pome?")
            .put("options", new JsonArray().add(option("a", "Apples")).add(option("b", "Plums")))
            .put("correct", new JsonArray().add("a")).put("timeLimitSeconds", 60).put("points", 1000)))));

    Page page = browser.page("en-US");
    page.navigate(url("/present/" + eventId));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in to present"))).isVisible();
    assertThat(page.locator("#event-title")).hasText("Spring launch");
    Browser.assertAccessible(page);

    // a wrong key is refused in plain words, next to the form
    page.getByLabel("Organizer API key or presenter token").fill("not-a-key");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.locator("#sign-in-error")).containsText("This key or token is not valid");

    signIn(page, presenter);
    assertThat(page.locator("#connection")).hasText("Connected");
    assertThat(page.locator("#connection")).hasAttribute("data-state", "online");

    // the audience: an attendee's socket on the event counts
    try (WsClient audienceMember = WsClient.connect(app.httpPort(), attendee)) {
      audienceMember.next("welcome");
      audienceMember.subscribe("event:" + eventId, null);
      assertThat(page.locator("#audience")).hasText("Audience: 1 online");

      // a poll created on the page, launched, voted by the attendee, revealed and closed
      page.locator("#poll-kind").selectOption("single_choice");
      page.locator("#poll-question").fill("Which fruit?");
      page.locator("#poll-options").fill("Apples\nPears");
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create poll")).click();
      Locator poll = page.locator("article[data-poll]").filter(new Locator.FilterOptions().setHasText("Which fruit?"));
      assertThat(poll.locator(".meta")).containsText("Draft");
      long pollId = Long.parseLong(poll.getAttribute("data-poll"));

      poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Launch")).click();
      assertThat(poll.locator(".meta")).containsText("Live");
      assertThat(poll.locator(".ballots")).hasText("0 ballots");

      HttpResponse<Buffer> ballot = api.post("/api/events/" + eventId + "/polls/" + pollId + "/ballots", attendee,
          new JsonObject().put("voteId", UUID.randomUUID().toString()).put("answer", new JsonObject().put("option", "b")));
      assertThat(ballot.statusCode()).as(ballot.bodyAsString()).isEqualTo(201);
      // the vote arrives without a reload, on the option voted for
      assertThat(poll.locator(".ballots")).hasText("1 ballot");
      assertThat(poll.locator("li[data-option=b] .count")).hasText("1 (100%)");
      assertThat(poll.locator("li[data-option=a] .count")).hasText("0 (0%)");
      Browser.screenshot(page, "present");

      poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reveal results")).click();
      assertThat(poll.locator(".meta")).containsText("results shown to the audience");
      poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Close").setExact(true)).click();
      assertThat(poll.locator(".meta")).containsText("Closed");
      assertThat(poll.locator("li[data-option=b] .count")).hasText("1 (100%)");
      assertThat(poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reopen"))).isEnabled();
    }

    // the quiz created over the API: started, a question opened, answered, closed, and the leaderboard shown
    Locator quiz = page.locator("article[data-quiz='" + quizId + "']");
    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Start")).click();
    assertThat(quiz.locator(".meta")).containsText("Running");
    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Next question")).click();
    assertThat(quiz.locator(".question-now")).containsText("Which fruit is a pome?");
    assertThat(quiz.getByRole(AriaRole.TIMER)).hasText(java.util.regex.Pattern.compile("\\d+ s"));

    HttpResponse<Buffer> answer = api.post("/api/events/" + eventId + "/quizzes/" + quizId + "/questions/1/answers",
        attendee, new JsonObject().put("answerId", UUID.randomUUID().toString())
            .put("answer", new JsonObject().put("option", "a")));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(201);

    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Close question")).click();
    assertThat(quiz.locator(".tally")).hasText("Answered: 1 · correct: 1 · players so far: 1");
    assertThat(quiz.locator(".question-now li.correct")).containsText("Apples");
    assertThat(quiz.locator(".podium li")).hasCount(1);
    assertThat(quiz.locator(".podium li").first()).containsText("1. Player ");
    assertThat(quiz.locator(".podium li").first()).containsText("points");
    Browser.assertAccessible(page);
    Browser.screenshot(page, "present-quiz");

    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Finish")).click();
    assertThat(quiz.locator(".meta")).containsText("Finished");

    // a refused action is shown near it, in the server's words (the page never offers it: its buttons are
    // enabled here by hand, as a stale console would have them)
    page.evaluate("() => { for (const b of document.querySelectorAll('article[data-quiz] button')) b.disabled = false; }");
    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Start")).click();
    assertThat(quiz.getByRole(AriaRole.ALERT)).containsText("Start failed:");
    assertThat(quiz.getByRole(AriaRole.ALERT)).containsText("quiz " + quizId);

    // signing out forgets the token for this tab
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in to present"))).isVisible();
    page.reload();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in to present"))).isVisible();
    page.context().close();
  }

  @Test
  void aPollThatBreaksARuleIsRefusedInWords() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "Rules"));
    Page page = browser.page("en-US");
    page.navigate(url("/present/" + eventId));
    signIn(page, ADMIN_KEY);
    page.locator("#poll-question").fill("Only one option?");
    page.locator("#poll-options").fill("Alone");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create poll")).click();
    assertThat(page.locator("#poll-form-error")).containsText("The poll was not created:");
    assertThat(page.locator("#poll-form-error")).containsText("options");
    assertThat(page.locator("article[data-poll]")).hasCount(0);
    page.context().close();
  }

  @Test
  void aQuizIsBuiltOnThePageAndRunToItsCorrectAnswer() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "Quiz night"));
    Page page = browser.page("en-US");
    page.navigate(url("/present/" + eventId));
    signIn(page, ADMIN_KEY);
    Locator form = page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("New quiz"));
    form.getByLabel("Title").fill("Capitals");
    page.locator("#quiz-q1-text").fill("Capital of France?");
    page.locator("#quiz-q1-options").fill("Lyon\nParis\nNice");
    page.locator("#quiz-q1-limit").fill("30");
    form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add a question")).click();
    page.locator("#quiz-q2-text").fill("Capital of Italy?");
    page.locator("#quiz-q2-options").fill("Rome\nMilan");
    form.getByRole(AriaRole.CHECKBOX, new Locator.GetByRoleOptions().setName("Rome")).check();

    // the first question has no correct answer yet: the server says which field, next to the form
    form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create quiz")).click();
    assertThat(page.locator("#quiz-form-error")).containsText("The quiz was not created:");
    assertThat(page.locator("#quiz-form-error")).containsText("questions[0].correct");
    form.getByRole(AriaRole.CHECKBOX, new Locator.GetByRoleOptions().setName("Paris")).check();
    form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create quiz")).click();

    Locator quiz = page.locator("article[data-quiz]");
    assertThat(quiz.locator("h3")).hasText("Capitals");
    assertThat(quiz.locator(".meta")).hasText("Draft · 2 questions");
    assertThat(page.locator("#quiz-form-error")).isEmpty();
    JsonObject stored = ok(api.get("/api/events/" + eventId + "/quizzes", ADMIN_KEY)).getJsonArray("quizzes")
        .getJsonObject(0);
    assertThat(stored.getJsonArray("questions").getJsonObject(0).getInteger("timeLimitSeconds")).isEqualTo(30);

    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Start")).click();
    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Next question")).click();
    assertThat(quiz.locator(".question-now")).containsText("Question 1 of 2: Capital of France?");
    quiz.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Close question")).click();
    assertThat(quiz.locator(".question-now li.correct")).hasText("Paris ✓ correct");
    assertThat(quiz.locator(".tally")).hasText("Answered: 0 · correct: 0 · players so far: 0");
    assertThat(quiz.locator(".podium")).hasText("Nobody has scored yet.");
    page.context().close();
  }

  @Test
  void aSessionsPresenterRunsThatSessionsPolls() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "Two tracks"));
    long sessionId = api.createSession(eventId);
    String presenter = api.issuePresenterToken(eventId, sessionId).getString("token");
    String attendee = register(eventId);
    Page page = browser.page("en-US");
    page.navigate(url("/present/" + eventId));
    signIn(page, presenter);
    assertThat(page.locator("#connection")).hasText("Connected");
    // its polls are its session's by default: the server would refuse one for the whole event
    assertThat(page.locator("#poll-session")).hasValue(Long.toString(sessionId));
    page.locator("#poll-question").fill("Louder?");
    page.locator("#poll-options").fill("Yes\nNo");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create poll")).click();
    Locator poll = page.locator("article[data-poll]");
    assertThat(poll.locator(".meta")).hasText("Single choice · Draft · results hidden from the audience · session Keynote");
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Launch")).click();
    assertThat(poll.locator(".meta")).containsText("Live");
    long pollId = Long.parseLong(poll.getAttribute("data-poll"));
    HttpResponse<Buffer> ballot = api.post("/api/events/" + eventId + "/polls/" + pollId + "/ballots", attendee,
        new JsonObject().put("voteId", UUID.randomUUID().toString()).put("answer", new JsonObject().put("option", "a")));
    assertThat(ballot.statusCode()).as(ballot.bodyAsString()).isEqualTo(201);
    assertThat(poll.locator("li[data-option=a] .count")).hasText("1 (100%)");
    page.context().close();
  }

  @Test
  void theConsoleFitsAPhone() throws Exception {
    long eventId = api.createEvent(new JsonObject().put("title", "A long event title that has to wrap on a phone"));
    String presenter = api.issuePresenterToken(eventId, null).getString("token");
    String attendee = register(eventId);
    long pollId = created(api.post("/api/events/" + eventId + "/polls", ADMIN_KEY, new JsonObject()
        .put("kind", "word_cloud").put("question", "One word for today?")));
    Page page = browser.page("en-US", 375, 740);
    page.navigate(url("/present/" + eventId));
    assertThat(page.getByLabel("Organizer API key or presenter token")).isVisible();
    assertThat(fitsWidth(page)).isTrue();
    Browser.assertAccessible(page);
    signIn(page, presenter);
    Locator poll = page.locator("article[data-poll]");
    assertThat(poll).containsText("One word for today?");
    assertThat(page.locator("#connection")).hasText("Connected");

    // the tab keeps its sign-in across a reload
    page.reload();
    assertThat(poll.locator(".meta")).containsText("Draft");
    assertThat(page.locator("#connection")).hasText("Connected");
    poll.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Launch")).click();
    assertThat(poll.locator(".meta")).containsText("Live");
    // a word cloud: the words as a list, each with its count
    HttpResponse<Buffer> ballot = api.post("/api/events/" + eventId + "/polls/" + pollId + "/ballots", attendee,
        new JsonObject().put("voteId", UUID.randomUUID().toString())
            .put("answer", new JsonObject().put("text", "Supercalifragilisticexpialidocious")));
    assertThat(ballot.statusCode()).as(ballot.bodyAsString()).isEqualTo(201);
    assertThat(poll.locator(".word-cloud li")).hasText("supercalifragilisticexpialidocious (1)");
    assertThat(fitsWidth(page)).as("no sideways scrolling at 375 px").isTrue();
    Browser.assertAccessible(page);
    Browser.screenshot(page, "present-phone");
    page.context().close();
  }

  private static void signIn(Page page, String credential) {
    page.getByLabel("Organizer API key or presenter token").fill(credential);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Polls").setExact(true)))
        .isVisible();
  }

  private static boolean fitsWidth(Page page) {
    return (Boolean) page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth");
  }

  private static String register(long eventId) throws Exception {
    HttpResponse<Buffer> registered = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee(TestServices.unique("ada") + "@example.org"));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    return registered.bodyAsJsonObject().getString("token");
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static long created(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getLong("id");
  }

  private static JsonObject option(String id, String text) {
    return new JsonObject().put("id", id).put("text", text);
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + app.httpPort() + path;
  }
}
