package io.foyer.interactions;

import static io.foyer.interactions.QuizFixtures.kahootScore;
import static io.foyer.interactions.QuizFixtures.pick;
import static io.foyer.interactions.QuizFixtures.picks;
import static io.foyer.interactions.QuizFixtures.question;
import static io.foyer.interactions.QuizFixtures.quiz;
import static io.foyer.interactions.QuizFixtures.quizzes;
import static io.foyer.interactions.QuizFixtures.single;
import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.interactions.QuizFixtures.Player;
import io.foyer.testing.TestNodes;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quizzes over real sockets on a real node, run once per LiveState engine: the server's deadline, scoring,
 * streaks, leaderboards, private results, reconnects, retries, and that the correct answer stays on the server
 * until its question closes.
 */
abstract class QuizContract extends NodeContract {

  private QuizFixtures quizzes;

  @BeforeEach
  void makeFixtures() {
    quizzes = new QuizFixtures(api);
  }

  @Test
  void aQuestionTakesAnswersUntilItsDeadlineAndGraceByTheServersClockThenClosesByItself() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<Player> players = players(eventId, 2);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(1, 1000, "a"), single(1, 1000, "b")));
    assertThat(players.get(0).answer(quizId, 1, pick("a")).getString("code")).isEqualTo("question-not-open");

    JsonObject opened = quizzes.next(eventId, quizId);
    JsonObject inTime = players.get(0).answer(quizId, 1, pick("a"));
    JsonObject tooEarly = players.get(0).answer(quizId, 2, pick("b"));
    JsonObject results = players.get(1).pushed("quiz-results");
    JsonObject late = players.get(1).answer(quizId, 1, pick("a"));

    Instant openedAt = Instant.parse(opened.getString("openedAt"));
    Instant deadline = Instant.parse(opened.getString("deadline"));
    assertThat(Duration.between(openedAt, deadline)).isEqualTo(Duration.ofSeconds(1));
    assertThat(inTime.getString("type")).as(inTime.encode()).isEqualTo("answered");
    assertThat(inTime.getString("outcome")).isEqualTo("recorded");
    assertThat(inTime.getLong("responseMs")).isBetween(0L, 1000L);
    assertThat(tooEarly.getString("code")).isEqualTo("question-not-open");
    // the question closed itself once its deadline and grace had passed, by the server's clock
    JsonObject question = results.getJsonObject("question");
    assertThat(question.getString("closedBy")).isEqualTo("deadline");
    assertThat(Instant.parse(question.getString("closedAt")))
        .isAfterOrEqualTo(deadline.plusMillis(question.getLong("graceMs")));
    assertThat(results.getLong("answered")).isEqualTo(1);
    assertThat(late.getString("code")).isEqualTo("answer-too-late");
    // the refused answer changed nothing: one answer stored, one player on the board
    JsonObject state = playerState(players.get(1), quizId);
    assertThat(state.getJsonObject("you").getValue("rank")).isNull();
    assertThat(state.getJsonObject("you").getLong("score")).isZero();
    assertThat(quizzes.act(eventId, quizId, "close").bodyAsJsonObject().getString("code"))
        .isEqualTo("question-not-open");
    JsonObject second = quizzes.next(eventId, quizId);
    assertThat(second.getInteger("position")).isEqualTo(2);
    assertThat(players.get(1).answer(quizId, 1, pick("a")).getString("code")).isEqualTo("answer-too-late");
    JsonObject secondResults = players.get(1).pushed("quiz-results");
    assertThat(secondResults.getJsonObject("question").getInteger("position")).isEqualTo(2);
    assertThat(secondResults.getLong("players")).isEqualTo(1);
  }

  /** Every node sweeps for questions past their window: one whose opener died still closes, on another node. */
  @Test
  void aQuestionWhoseNodeStoppedIsClosedByAnotherNodeAfterItsDeadline() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 1);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(1, 1000, "a")));
    FoyerApp other = TestNodes.start(engine());
    try {
      Player player = QuizFixtures.join(other.httpPort(), tokens.get(0), eventId);
      clients.add(player.ws());
      JsonObject opened = quizzes.next(eventId, quizId);
      assertThat(player.answer(quizId, 1, pick("a")).getString("outcome")).isEqualTo("recorded");
      // the node that opened the question stops before its deadline, and its timer with it
      await(node.stop());
      JsonObject results;
      JsonObject mine;
      try {
        results = player.pushed("quiz-results");
        mine = player.result(1);
      } finally {
        // what the test stops after it (started once the other node's sweep is done, so that it closes nothing)
        node = TestNodes.start(engine());
      }

      assertThat(results.getJsonObject("question").getString("closedBy")).isEqualTo("deadline");
      assertThat(Instant.parse(results.getJsonObject("question").getString("closedAt")))
          .isAfter(Instant.parse(opened.getString("deadline")));
      assertThat(mine.getBoolean("correct")).isTrue();
      assertThat(mine.getInteger("rank")).isEqualTo(1);
    } finally {
      await(other.stop());
    }
  }

  @Test
  void theCorrectAnswerLeavesTheServerOnlyOnceItsQuestionClosed() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    Player player = players(eventId, 1).get(0);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(30, 1000, "c")));

    quizzes.next(eventId, quizId);
    JsonObject pushedQuestion = player.pushed("quiz-question");
    JsonObject answered = player.answer(quizId, 1, pick("a"));
    JsonObject state = playerState(player, quizId);
    String restOne = api.get(quizzes(eventId) + "/" + quizId, player.token()).bodyAsString();
    String restList = api.get(quizzes(eventId), player.token()).bodyAsString();
    player.ws().drain();
    List<String> beforeClose = player.ws().seen().stream().map(JsonObject::encode).toList();

    assertThat(pushedQuestion.getJsonObject("question").getString("question")).isEqualTo("Which fruit is a pome?");
    assertThat(pushedQuestion.getJsonObject("question").getBoolean("open")).isTrue();
    assertThat(state.getJsonObject("quiz").getJsonObject("current").getLong("remainingMs")).isPositive();
    assertThat(answered.getString("outcome")).isEqualTo("recorded");
    for (String seen : beforeClose) {
      assertThat(seen).doesNotContain("\"correct\"");
    }
    assertThat(restOne).doesNotContain("\"correct\"").contains("\"currentAnswer\":{\"option\":\"a\"}");
    assertThat(restList).doesNotContain("\"correct\"");
    // not even those who run the quiz read it before the question closes
    assertThat(api.get(quizzes(eventId) + "/" + quizId, ADMIN_KEY).bodyAsString()).doesNotContain("\"correct\"");
    assertThat(api.get(quizzes(eventId), ADMIN_KEY).bodyAsString()).doesNotContain("\"correct\"");

    quizzes.close(eventId, quizId);
    JsonObject results = player.pushed("quiz-results");
    JsonObject mine = player.result(1);

    assertThat(results.getJsonObject("question").getJsonArray("correct")).containsExactly("c");
    assertThat(results.getJsonObject("question").getString("closedBy")).isEqualTo("presenter");
    assertThat(mine.getBoolean("correct")).isFalse();
    assertThat(mine.getLong("gained")).isZero();
    assertThat(playerState(player, quizId).getJsonObject("quiz").getJsonObject("current").getJsonArray("correct"))
        .containsExactly("c");
    assertThat(api.get(quizzes(eventId) + "/" + quizId, ADMIN_KEY).bodyAsJsonObject().getJsonArray("questions")
        .getJsonObject(0).getJsonArray("correct")).containsExactly("c");
  }

  /** Standard scoring: full points under half a second, then round((1 - (t / T) / 2) * points); 0 when wrong. */
  @Test
  void correctAnswersScoreByTheKahootFormulaOfTheServerMeasuredResponseTime() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<Player> players = players(eventId, 3);
    Player fast = players.get(0);
    Player slow = players.get(1);
    Player wrong = players.get(2);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(2, 1000, "b"),
        question("multiple_choice", 2, 2000, "a", "b"), single(2, 0, "a")));

    quizzes.next(eventId, quizId);
    JsonObject fastAnswer = fast.answer(quizId, 1, pick("b"));
    JsonObject wrongAnswer = wrong.answer(quizId, 1, pick("c"));
    Thread.sleep(800); // to answer late in the window; the score is checked against the server's own time
    JsonObject slowAnswer = slow.answer(quizId, 1, pick("b"));
    quizzes.close(eventId, quizId);
    JsonObject fastResult = fast.result(1);
    JsonObject slowResult = slow.result(1);
    JsonObject wrongResult = wrong.result(1);

    assertThat(slowAnswer.getLong("responseMs")).isGreaterThanOrEqualTo(500);
    assertThat(fastResult.getLong("gained")).isEqualTo(kahootScore(fastAnswer.getLong("responseMs"), 2000, 1000));
    assertThat(slowResult.getLong("gained")).isEqualTo(kahootScore(slowAnswer.getLong("responseMs"), 2000, 1000))
        .isLessThan(1000).isGreaterThanOrEqualTo(500);
    assertThat(wrongResult.getLong("gained")).isZero();
    assertThat(wrongResult.getBoolean("correct")).isFalse();
    assertThat(wrongAnswer.getString("outcome")).isEqualTo("recorded");
    assertThat(fastResult.getInteger("rank")).isEqualTo(1);
    assertThat(slowResult.getInteger("rank")).isEqualTo(2);
    assertThat(wrongResult.getInteger("rank")).isEqualTo(3);

    // double points, all or nothing for a multiple choice; then a question worth nothing
    quizzes.next(eventId, quizId);
    Thread.sleep(600);
    JsonObject doubled = slow.answer(quizId, 2, picks("b", "a"));
    JsonObject half = fast.answer(quizId, 2, picks("a"));
    quizzes.close(eventId, quizId);
    assertThat(slow.result(2).getLong("gained")).isEqualTo(kahootScore(doubled.getLong("responseMs"), 2000, 2000));
    assertThat(fast.result(2).getLong("gained")).isZero();
    assertThat(half.getString("outcome")).isEqualTo("recorded");
    quizzes.next(eventId, quizId);
    fast.answer(quizId, 3, pick("a"));
    quizzes.close(eventId, quizId);
    JsonObject last = fast.result(3);
    assertThat(last.getBoolean("correct")).isTrue();
    assertThat(last.getLong("gained")).isZero();
    assertThat(last.getLong("score")).isEqualTo(fastResult.getLong("score"));
  }

  /** +100 per streak step after the first correct answer, capped at +500; a wrong or missing answer resets it. */
  @Test
  void theStreakBonusGrowsByAHundredUpToFiveHundredAndAMissResetsIt() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<Player> players = players(eventId, 2);
    Player steady = players.get(0);
    Player patchy = players.get(1);
    JsonObject[] questions = new JsonObject[8];
    for (int i = 0; i < questions.length; i++) {
      questions[i] = single(20, 1000, "a");
    }
    long quizId = quizzes.started(eventId, quiz("standard", true, questions));
    // patchy: right, wrong, right, none, right, right
    List<String> patchyAnswers = List.of("a", "b", "a", "", "a", "a", "", "");

    long steadyTotal = 0;
    for (int position = 1; position <= questions.length; position++) {
      quizzes.next(eventId, quizId);
      JsonObject steadyAnswer = steady.answer(quizId, position, pick("a"));
      String patchyPick = patchyAnswers.get(position - 1);
      JsonObject patchyAnswer = patchyPick.isEmpty() ? null : patchy.answer(quizId, position, pick(patchyPick));
      quizzes.close(eventId, quizId);
      JsonObject steadyResult = steady.result(position);
      long base = kahootScore(steadyAnswer.getLong("responseMs"), 20_000, 1000);
      assertThat(steadyResult.getInteger("streak")).isEqualTo(position);
      assertThat(steadyResult.getLong("gained")).as("question %d", position)
          .isEqualTo(base + Math.min(100 * (position - 1), 500));
      steadyTotal += steadyResult.getLong("gained");
      assertThat(steadyResult.getLong("score")).isEqualTo(steadyTotal);
      JsonObject patchyResult = patchy.result(position);
      int expectedStreak = List.of(1, 0, 1, 0, 1, 2, 0, 0).get(position - 1);
      assertThat(patchyResult.getInteger("streak")).as("question %d", position).isEqualTo(expectedStreak);
      if (patchyAnswer != null && "a".equals(patchyPick)) {
        assertThat(patchyResult.getLong("gained")).isEqualTo(
            kahootScore(patchyAnswer.getLong("responseMs"), 20_000, 1000) + 100L * (expectedStreak - 1));
      } else {
        assertThat(patchyResult.getLong("gained")).isZero();
        assertThat(patchyResult.getBoolean("answered")).isEqualTo(patchyAnswer != null);
      }
    }
  }

  /**
   * Accuracy first: a correct answer scores its full points however slow, so one more correct answer always ranks
   * higher; with equal points, less total response time ranks first (the server's measure of it).
   */
  @Test
  void inAccuracyFirstScoringSpeedNeverOutweighsACorrectAnswerAndOnlyBreaksTies() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<Player> players = players(eventId, 3);
    Player slowButRight = players.get(0);
    Player fastOneWrong = players.get(1);
    Player fastAndRight = players.get(2);
    long quizId = quizzes.started(eventId, quiz("accuracy", false, single(2, 1000, "a"), single(2, 1000, "d")));
    long slowTotal = 0;
    long fastTotal = 0;
    JsonObject second = null;

    for (int position = 1; position <= 2; position++) {
      quizzes.next(eventId, quizId);
      String right = position == 1 ? "a" : "d";
      fastTotal += fastAndRight.answer(quizId, position, pick(right)).getLong("responseMs");
      fastOneWrong.answer(quizId, position, pick(position == 1 ? right : "b"));
      Thread.sleep(700); // a slow player; ranks are checked against the server-measured times
      JsonObject slow = slowButRight.answer(quizId, position, pick(right));
      slowTotal += slow.getLong("responseMs");
      quizzes.close(eventId, quizId);
      second = slowButRight.result(position);
      assertThat(second.getLong("gained")).isEqualTo(1000);
    }
    JsonObject leaderboard = fastAndRight.pushed("quiz-results");
    while (leaderboard.getJsonObject("question").getInteger("position") != 2) {
      leaderboard = fastAndRight.pushed("quiz-results");
    }

    assertThat(fastTotal).isLessThan(slowTotal);
    JsonObject first = fastAndRight.result(2);
    JsonObject third = fastOneWrong.result(2);
    assertThat(List.of(first.getLong("score"), second.getLong("score"), third.getLong("score")))
        .containsExactly(2000L, 2000L, 1000L);
    assertThat(List.of(first.getInteger("rank"), second.getInteger("rank"), third.getInteger("rank")))
        .containsExactly(1, 2, 3);
    JsonArray top = leaderboard.getJsonArray("leaderboard");
    assertThat(top.stream().map(entry -> ((JsonObject) entry).getString("player")).toList())
        .containsExactly(first.getString("player"), second.getString("player"), third.getString("player"));
    assertThat(top.getJsonObject(0).getInteger("rank")).isEqualTo(1);
    assertThat(top.encode()).doesNotContain(fastAndRight.registrationId());
  }

  @Test
  void aPlayerWhoReconnectsMidQuizGetsTheOpenQuestionItsRemainingTimeAndItsOwnStanding() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<Player> players = players(eventId, 2);
    Player player = players.get(0);
    long quizId = quizzes.started(eventId, quiz("standard", true, single(20, 1000, "a"), single(30, 2000, "b")));
    quizzes.next(eventId, quizId);
    player.answer(quizId, 1, pick("a"));
    players.get(1).answer(quizId, 1, pick("c"));
    quizzes.close(eventId, quizId);
    JsonObject standing = player.result(1);
    long seq = player.ws().subscribe("event:" + eventId, null).getLong("seq");
    JsonObject opened = quizzes.next(eventId, quizId);
    player.ws().close();

    WsClient again = WsClient.connect(node.httpPort(), player.token());
    clients.add(again);
    again.next("welcome");
    Player back = new Player(player.token(), player.registrationId(), again);
    JsonObject state = playerState(back, quizId);
    JsonObject resumed = again.subscribe("event:" + eventId, seq - 1);

    JsonObject current = state.getJsonObject("quiz").getJsonObject("current");
    assertThat(current.getInteger("position")).isEqualTo(2);
    assertThat(current.getBoolean("open")).isTrue();
    assertThat(current.getString("deadline")).isEqualTo(opened.getString("deadline"));
    assertThat(current.getLong("remainingMs")).isPositive().isLessThanOrEqualTo(30_000);
    assertThat(current.containsKey("correct")).isFalse();
    JsonObject you = state.getJsonObject("you");
    assertThat(you.getLong("score")).isEqualTo(standing.getLong("score")).isPositive();
    assertThat(you.getLong("rank")).isEqualTo(1);
    assertThat(you.getInteger("streak")).isEqualTo(1);
    assertThat(you.getString("player")).isEqualTo(standing.getString("player"));
    assertThat(you.getValue("currentAnswer")).isNull();
    // resuming the event's topic replays the question that opened while away, without its answer
    assertThat(resumed.getString("type")).isEqualTo("subscribed");
    JsonObject replayed = again.seen().stream().filter(frame -> "quiz-question".equals(frame.getString("kind")))
        .findFirst().orElseThrow();
    assertThat(replayed.encode()).doesNotContain("\"correct\"");
    // the score of an answer to the open question is not given back before it closes
    assertThat(back.answer(quizId, 2, pick("b")).getString("outcome")).isEqualTo("recorded");
    JsonObject after = playerState(back, quizId).getJsonObject("you");
    assertThat(after.getLong("score")).isEqualTo(standing.getLong("score"));
    assertThat(after.getJsonObject("currentAnswer")).isEqualTo(pick("b"));
  }

  @Test
  void aPlayerReceivesTheQuizInItsLanguageLiveAndAfterAReconnect() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    Player french = QuizFixtures.join(node.httpPort(), polls.attendee(eventId, "fr"), eventId);
    clients.add(french.ws());
    Player english = players(eventId, 1).get(0);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(20, 1000, "a")));

    quizzes.next(eventId, quizId);
    JsonObject question = french.pushed("quiz-question").getJsonObject("question");
    JsonObject inEnglish = english.pushed("quiz-question").getJsonObject("question");
    JsonObject state = playerState(french, quizId).getJsonObject("quiz").getJsonObject("current");
    quizzes.close(eventId, quizId);
    JsonObject closed = french.pushed("quiz-results").getJsonObject("question");

    for (JsonObject inFrench : List.of(question, state, closed)) {
      assertThat(inFrench.getString("question")).isEqualTo("Quel fruit est un fruit à pépins ?");
      assertThat(inFrench.getJsonArray("options").getJsonObject(1).getString("text")).isEqualTo("Poires");
      assertThat(inFrench.containsKey("translations")).isFalse();
    }
    assertThat(inEnglish.getString("question")).isEqualTo("Which fruit is a pome?");
    assertThat(closed.getJsonArray("correct")).containsExactly("a");
  }

  @Test
  void aRetriedAnswerIsRecordedOnceAndASecondAnswerIsRefused() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    Player player = players(eventId, 1).get(0);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(30, 1000, "a")));
    quizzes.next(eventId, quizId);
    String answerId = UUID.randomUUID().toString();

    JsonObject first = player.answer(quizId, 1, answerId, pick("b"));
    JsonObject retried = player.answer(quizId, 1, answerId, pick("b"));
    HttpResponse<Buffer> overRest = answerOverRest(eventId, quizId, 1, player.token(), answerId, pick("b"));
    JsonObject other = player.answer(quizId, 1, pick("a"));
    HttpResponse<Buffer> otherOverRest = answerOverRest(eventId, quizId, 1, player.token(),
        UUID.randomUUID().toString(), pick("a"));
    quizzes.close(eventId, quizId);

    assertThat(first.getString("outcome")).isEqualTo("recorded");
    assertThat(retried.getString("outcome")).isEqualTo("replayed");
    assertThat(retried.getLong("responseMs")).isEqualTo(first.getLong("responseMs"));
    assertThat(overRest.statusCode()).isEqualTo(200);
    assertThat(overRest.bodyAsJsonObject().getString("outcome")).isEqualTo("replayed");
    assertThat(other.getString("code")).isEqualTo("already-answered");
    assertProblem(otherOverRest, 409, "already-answered");
    JsonObject result = player.result(1);
    assertThat(result.getBoolean("correct")).isFalse();
    assertThat(player.pushed("quiz-results").getLong("answered")).isEqualTo(1);
  }

  @Test
  void badAnswersAndActionsGetAClearCodeAndChangeNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    Player player = players(eventId, 1).get(0);
    Player stranger = players(otherEvent, 1).get(0);
    long quizId = quizzes.started(eventId, quiz("standard", false,
        question("multiple_choice", 30, 1000, "a", "b"), single(30, 1000, "a")));
    quizzes.next(eventId, quizId);

    assertThat(player.answer(999_999, 1, picks("a")).getString("code")).isEqualTo("not-found");
    assertThat(player.answer(quizId, 9, picks("a")).getString("code")).isEqualTo("not-found");
    assertThat(stranger.answer(quizId, 1, picks("a")).getString("code")).isEqualTo("not-found");
    assertThat(player.answer(quizId, 1, picks("z")).getString("code")).isEqualTo("validation-failed");
    assertThat(player.answer(quizId, 1, picks("a", "b", "c")).getString("code")).isEqualTo("validation-failed");
    assertThat(player.answer(quizId, 1, pick("a")).getString("code")).isEqualTo("validation-failed");
    assertThat(player.answer(quizId, 1, "not-a-uuid", picks("a")).getString("code")).isEqualTo("validation-failed");
    assertThat(player.request(new JsonObject().put("type", "answer").put("quizId", "x")).getString("code"))
        .isEqualTo("bad-request");
    assertThat(player.request(new JsonObject().put("type", "run-quiz").put("quizId", quizId).put("action", "close"))
        .getString("code")).isEqualTo("forbidden");
    assertProblem(api.post(quizzes(eventId) + "/" + quizId + "/close", player.token(), null), 403, "forbidden");
    assertProblem(api.post(quizzes(eventId), player.token(), quiz("standard", false, single(5, 1000, "a"))), 403,
        "forbidden");
    WsClient organizer = socket(ADMIN_KEY);
    String sent = organizer.send(new JsonObject().put("type", "answer").put("quizId", quizId).put("position", 1)
        .put("answerId", UUID.randomUUID().toString()).put("answer", picks("a")));
    assertThat(organizer.next(frame -> sent.equals(frame.getString("re"))).getString("code")).isEqualTo("forbidden");
    assertProblem(quizzes.act(eventId, quizId, "next"), 409, "question-open");
    assertProblem(quizzes.act(eventId, quizId, "start"), 409, "quiz-not-draft");
    assertProblem(quizzes.act(eventId, quizId, "finish"), 409, "question-open");
    assertProblem(quizzes.act(eventId, quizId, "rewind"), 404, "not-found");
    assertProblem(quizzes.act(otherEvent, quizId, "close"), 404, "not-found");

    // the open question is still open and took nothing
    JsonObject state = playerState(player, quizId);
    assertThat(state.getJsonObject("quiz").getJsonObject("current").getBoolean("open")).isTrue();
    assertThat(state.getJsonObject("you").getValue("currentAnswer")).isNull();
    quizzes.close(eventId, quizId);
    assertThat(player.pushed("quiz-results").getLong("answered")).isZero();
    quizzes.next(eventId, quizId);
    quizzes.close(eventId, quizId);
    assertProblem(quizzes.act(eventId, quizId, "next"), 409, "no-more-questions");
    assertThat(quizzes.act(eventId, quizId, "finish").bodyAsJsonObject().getString("status")).isEqualTo("finished");
    assertProblem(quizzes.act(eventId, quizId, "next"), 409, "quiz-not-running");
  }

  @Test
  void theEventsPresenterRunsAQuizFromItsSocketAndAnotherSessionsPresenterMayNot() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    String presenterToken = api.issuePresenterToken(eventId, null).getString("token");
    String otherSessionsPresenter = api.issuePresenterToken(eventId, api.createSession(eventId)).getString("token");
    Player player = players(eventId, 1).get(0);
    assertThat(player.ws().subscribe("session:" + sessionId, null).getString("type")).isEqualTo("subscribed");
    HttpResponse<Buffer> created = api.post(quizzes(eventId), presenterToken,
        quiz("standard", false, single(30, 1000, "a")).put("sessionId", sessionId));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long quizId = created.bodyAsJsonObject().getLong("id");
    WsClient presenter = socket(presenterToken);
    WsClient outsider = socket(otherSessionsPresenter);

    JsonObject refused = runQuiz(outsider, quizId, "start");
    JsonObject started = runQuiz(presenter, quizId, "start");
    JsonObject opened = runQuiz(presenter, quizId, "next");
    JsonObject pushed = player.pushed("quiz-question");
    player.answer(quizId, 1, pick("a"));
    JsonObject closed = runQuiz(presenter, quizId, "close");
    JsonObject results = player.pushed("quiz-results");
    JsonObject unknownAction = runQuiz(presenter, quizId, "rewind");

    assertThat(refused.getString("code")).isEqualTo("forbidden");
    assertThat(started.getString("type")).as(started.encode()).isEqualTo("quiz-updated");
    assertThat(started.getJsonObject("quiz").getString("status")).isEqualTo("running");
    assertThat(opened.getJsonObject("quiz").getJsonArray("questions").getJsonObject(0).getBoolean("open")).isTrue();
    assertThat(opened.encode()).doesNotContain("\"correct\"");
    assertThat(pushed.getJsonObject("question").getInteger("position")).isEqualTo(1);
    assertThat(closed.getJsonObject("quiz").getJsonArray("questions").getJsonObject(0).getString("closedBy"))
        .isEqualTo("presenter");
    assertThat(results.getLong("answered")).isEqualTo(1);
    assertThat(player.result(1).getBoolean("correct")).isTrue();
    assertThat(unknownAction.getString("code")).isEqualTo("bad-request");
    // the quiz went to its session's topic, not the event's
    assertThat(player.ws().seen().stream().filter(frame -> "quiz-question".equals(frame.getString("kind")))
        .map(frame -> frame.getString("topic"))).containsExactly("session:" + sessionId);
  }

  private static JsonObject runQuiz(WsClient ws, long quizId, String action) throws InterruptedException {
    String id = ws.send(new JsonObject().put("type", "run-quiz").put("quizId", quizId).put("action", action));
    return ws.next(frame -> id.equals(frame.getString("re")));
  }

  @Test
  void aQuizDefinitionThatBreaksARuleIsRefusedWholeAndNothingIsStored() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject bad = quiz("fastest", false, single(0, 500, "z"),
        question("rating", 10, 1000, "a"), question("multiple_choice", 10, 1000, "a", "b", "c"));

    HttpResponse<Buffer> refused = api.post(quizzes(eventId), ADMIN_KEY, bad);

    assertProblem(refused, 422, "validation-failed");
    List<String> fields = refused.bodyAsJsonObject().getJsonArray("errors").stream()
        .map(error -> ((JsonObject) error).getString("field")).toList();
    assertThat(fields).contains("scoring", "questions[0].timeLimitSeconds", "questions[0].points",
        "questions[0].correct", "questions[1].kind", "questions[2].correct");
    assertThat(api.get(quizzes(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("quizzes")).isEmpty();
    assertProblem(quizzes.act(eventId, 999_999, "start"), 404, "not-found");
  }

  /**
   * A quiz's leaderboard leaves LiveState some time after its last write (here the test node's TTL), also once the
   * quiz finished; a player's rank is then counted from the stored answers, the same as the leaderboard gave.
   */
  @Test
  void ranksStayTheSameOnceTheLeaderboardHasExpired() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<Player> players = players(eventId, 3);
    long quizId = quizzes.started(eventId, quiz("standard", false, single(20, 1000, "a")));
    quizzes.next(eventId, quizId);
    players.get(0).answer(quizId, 1, pick("c"));
    players.get(1).answer(quizId, 1, pick("a"));
    quizzes.close(eventId, quizId);
    assertThat(players.get(1).result(1).getInteger("rank")).isEqualTo(1);
    assertThat(players.get(0).result(1).getInteger("rank")).isEqualTo(2);
    assertThat(quizzes.act(eventId, quizId, "finish").statusCode()).isEqualTo(200);

    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> await(node.live().sortedSetTop(Leaderboard.key(quizId), 0, -1)).isEmpty());

    assertThat(playerState(players.get(1), quizId).getJsonObject("you").getValue("rank")).isEqualTo(1);
    assertThat(playerState(players.get(0), quizId).getJsonObject("you").getValue("rank")).isEqualTo(2);
    assertThat(playerState(players.get(2), quizId).getJsonObject("you").getValue("rank")).as("did not play").isNull();
  }

  private List<Player> players(long eventId, int count) throws Exception {
    List<Player> players = new ArrayList<>();
    for (String token : polls.attendees(eventId, count)) {
      Player player = QuizFixtures.join(node.httpPort(), token, eventId);
      clients.add(player.ws());
      players.add(player);
    }
    return players;
  }

  /** The player's state over its socket, as after a reconnect. */
  private static JsonObject playerState(Player player, long quizId) throws InterruptedException {
    JsonObject state = player.request(new JsonObject().put("type", "quiz-state").put("quizId", quizId));
    assertThat(state.getString("type")).as(state.encode()).isEqualTo("quiz-state");
    return state;
  }

  private HttpResponse<Buffer> answerOverRest(long eventId, long quizId, int position, String token, String answerId,
      JsonObject answer) throws Exception {
    return await(api.client().request(HttpMethod.POST, quizzes(eventId) + "/" + quizId + "/questions/" + position
        + "/answers").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("answerId", answerId).put("answer", answer)));
  }
}
