package io.foyer.interactions;

import io.foyer.bus.Bus;
import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.events.EventCatalog;
import io.foyer.gateway.Gateway;
import io.foyer.gateway.Topic;
import io.foyer.http.Times;
import io.foyer.interactions.InteractionMessages.CreateQuiz;
import io.foyer.interactions.InteractionMessages.ListQuizzes;
import io.foyer.interactions.InteractionMessages.OfQuiz;
import io.foyer.interactions.InteractionMessages.QuizAction;
import io.foyer.interactions.InteractionMessages.QuizAnswer;
import io.foyer.interactions.InteractionMessages.RunQuiz;
import io.foyer.interactions.Quiz.Status;
import io.foyer.live.LiveState;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.BatchResults;
import io.foyer.store.BatchingWriter;
import io.foyer.store.BatchingWriter.Atomicity;
import io.foyer.store.RegionalStores;
import io.foyer.store.RegionalWriters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quizzes, on the interactions core: their questions are choice questions checked as polls' are, their answers
 * group-committed as ballots are (one call of foyer_record_quiz_answers per batch, answered once durable), and
 * pushed to the same audience topics. The server owns time: a node stamps when a question opens and when each
 * answer arrives; the database decides, under the question's row lock, whether an answer came in time, and
 * scores it. A question closes once (its row decides who closes it): at the end of its window, by the timer of the
 * node that opened it or, should that node be gone, by the sweep every node runs; or earlier by the presenter.
 * Then the leaderboard is written to LiveState and pushed, and each player gets its own result.
 *
 * <p>Lives on the interactions verticle's context: its timers and cache are touched there only.
 */
final class Quizzes {

  private static final Logger log = LoggerFactory.getLogger(Quizzes.class);
  /** After a question's window, how long a close waits for answers that arrived in time to be written. */
  static final Duration SETTLE = Duration.ofMillis(50);
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
  /** What the sweep leaves to the opener's own timer: questions overdue by less than this. */
  private static final Duration SWEEP_MARGIN = Duration.ofSeconds(1);
  private static final long CACHE_NANOS = Duration.ofSeconds(5).toNanos();
  /**
   * How long each player's own result waits after the leaderboard is pushed: the top ten go to every socket first,
   * and the results pushed to each player's own topic (one message per player) do not compete with that fan-out
   * for the event loops. Measured with 10,000 players on a 2-core machine (docs/benchmarks.md).
   */
  static final Duration PRIVATE_RESULTS_AFTER = Duration.ofMillis(300);
  /** Private results published at once; the rest wait, so that a close does not flood LiveState. */
  private static final int PRIVATE_RESULTS_IN_FLIGHT = 500;

  private record Cached(Quiz quiz, long loadedAt) {}

  private final Vertx vertx;
  private final EventCatalog catalog;
  private final Gateway gateway;
  private final Answers answers;
  private final Languages languages;
  private final QuizRepository quizzes;
  private final Leaderboard leaderboard;
  /** One per region's database: a batch of answers commits in one database. */
  private final RegionalWriters<JsonObject, JsonObject> writers;
  /** Quiz answers this node committed (ops dashboard, /metrics). */
  private final Counter recorded;
  // on the verticle's context only
  private final Map<Long, Cached> cache = new HashMap<>();
  private final Map<Long, Long> closeTimers = new HashMap<>();
  private long sweepTimer;

  Quizzes(Context context, RegionalStores stores, EventCatalog catalog, LiveState live, Duration liveStateTtl,
      Gateway gateway, Answers answers, Languages languages, WriterConfig writerConfig, MeterRegistry metrics) {
    this.vertx = context.owner();
    this.catalog = catalog;
    this.gateway = gateway;
    this.answers = answers;
    this.languages = languages;
    this.quizzes = new QuizRepository(stores);
    this.leaderboard = new Leaderboard(live, liveStateTtl);
    this.writers = new RegionalWriters<>(stores, "quiz-answers", (pool, name) ->
        new BatchingWriter<JsonObject, JsonObject>(context, pool, writerConfig, name, Atomicity.ONE_STATEMENT,
            (connection, ops) -> BatchResults.callWithRows(connection, InteractionSql.RECORD_QUIZ_ANSWERS, ops))
            .withMetrics(metrics));
    this.recorded = Counter.builder("foyer.quiz.answers")
        .description("quiz answers this node committed (a replay or a refusal is not counted)").register(metrics);
  }

  /** Starts the sweep and serves the quiz addresses; completes once every consumer is registered. */
  Future<?> start() {
    sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL.toMillis(), id -> sweep());
    return Future.all(List.of(
        Bus.serve(vertx, InteractionMessages.QUIZ_CREATE, this::create),
        Bus.serve(vertx, InteractionMessages.QUIZ_LIST, this::list),
        Bus.serve(vertx, InteractionMessages.QUIZ_GET, this::one),
        Bus.serve(vertx, InteractionMessages.QUIZ_RUN, this::run),
        Bus.serve(vertx, InteractionMessages.QUIZ_ANSWER, this::answer)));
  }

  /**
   * Stops the timers and writes every answer already accepted. A question this node would have closed is closed
   * by another node's sweep.
   */
  Future<Void> stop() {
    vertx.cancelTimer(sweepTimer);
    closeTimers.values().forEach(vertx::cancelTimer);
    return writers.close();
  }

  private Future<JsonObject> create(CreateQuiz request) {
    QuizDefinition definition = QuizDefinition.fromJson(request.body());
    Scopes.requireScope(request.runner().onlySession(), definition.sessionId());
    return Scopes.checkWhere(catalog, request.eventId(), definition.sessionId())
        .compose(v -> quizzes.create(request.eventId(), definition, request.runner().actor()))
        .map(quiz -> quiz.toJson(Instant.now()));
  }

  private Future<JsonObject> list(ListQuizzes request) {
    Future<Function<Quiz, JsonObject>> view = request.attendee() == null
        ? Future.succeededFuture(quiz -> quiz.toJson(Instant.now()))
        : languages.reader(request.eventId(), request.attendee())
            .map(reader -> quiz -> quiz.audienceJson(Instant.now(), reader.languageFor(quiz.languages())));
    return catalog.get(request.eventId()).compose(event -> quizzes.list(request.eventId()))
        .compose(all -> view.map(inView -> new JsonObject().put("quizzes", new JsonArray(all.stream()
            .filter(quiz -> request.attendee() == null || quiz.status() != Status.DRAFT).map(inView).toList()))));
  }

  private Future<JsonObject> one(OfQuiz request) {
    return quizzes.get(request.eventId(), request.quizId()).compose(quiz -> {
      if (request.attendee() == null) {
        return Future.succeededFuture(quiz.toJson(Instant.now()));
      }
      if (quiz.status() == Status.DRAFT) {
        return Future.failedFuture(Quiz.notFound(quiz.id()));
      }
      return playerState(quiz, request.attendee());
    });
  }

  /**
   * What a player needs after a reconnect: the quiz and its current question (its remaining time by the
   * server's clock; its correct options only once closed) in the player's language, and the player's own
   * standing after the last closed question, with its answer to the open one.
   */
  private Future<JsonObject> playerState(Quiz quiz, UUID registrationId) {
    Instant now = Instant.now();
    Supplier<Future<List<Standing>>> standings = () -> quiz.lastClosedPosition() == 0
        ? Future.succeededFuture(List.of()) : quizzes.standings(quiz, quiz.lastClosedPosition());
    return quizzes.player(quiz, registrationId).compose(state -> leaderboard.rank(quiz.id(), registrationId, standings)
        .compose(rank -> languages.reader(quiz.eventId(), registrationId).map(reader -> {
          Standing standing = state.standing();
          JsonObject you = new JsonObject().put("player", Leaderboard.player(quiz.id(), registrationId))
              .put("score", standing.score()).put("rank", rank).put("streak", standing.streak())
              .put("correctAnswers", standing.correctAnswers()).put("currentAnswer", state.currentAnswer());
          return new JsonObject().put("quiz", quiz.audienceJson(now, reader.languageFor(quiz.languages())))
              .put("you", you)
              .put("serverTime", Times.format(now));
        })));
  }

  private Future<JsonObject> run(RunQuiz request) {
    Long onlySession = request.runner().onlySession();
    // a session's presenter may act on that session's quizzes only, so it is read first
    Future<Void> allowed = onlySession == null ? Future.succeededFuture()
        : quizzes.get(request.eventId(), request.quizId())
            .map(quiz -> {
              Scopes.requireScope(onlySession, quiz.definition().sessionId());
              return null;
            });
    return allowed
        .compose(v -> quizzes.act(request.eventId(), request.quizId(), request.action(), Instant.now(),
            request.runner().actor()))
        .compose(quiz -> announce(quiz, request.action()).map(v -> quiz.toJson(Instant.now())));
  }

  /**
   * Tells the quiz's audience what changed, each player in its language. The change is committed already: a
   * push that fails is logged, and a player who missed it gets the quiz's state from GET or quiz-state.
   */
  private Future<Void> announce(Quiz quiz, QuizAction action) {
    Instant now = Instant.now();
    return switch (action) {
      case START, FINISH -> publish(quiz, "quiz",
          language -> new JsonObject().put("quiz", quiz.audienceJson(now, language)));
      case NEXT -> {
        scheduleClose(quiz);
        yield publish(quiz, "quiz-question", language -> new JsonObject().put("quizId", quiz.id())
            .put("questionCount", quiz.questionCount())
            .put("question", quiz.questionJson(quiz.currentPosition(), now, language)));
      }
      case CLOSE -> {
        Long timer = closeTimers.remove(quiz.id());
        if (timer != null) {
          vertx.cancelTimer(timer);
        }
        yield closed(quiz, quiz.currentPosition());
      }
    };
  }

  /** Pushes to the quiz's audience, each player receiving the data in its language ({@code in}, see Languages). */
  private Future<Void> publish(Quiz quiz, String kind, Function<String, JsonObject> in) {
    return languages.translated(quiz.eventId(), quiz.languages(), in)
        .compose(data -> gateway.publish(quiz.audience(), kind, data)).<Void>mapEmpty()
        .recover(err -> notPushed(quiz, kind, quiz.audience(), err));
  }

  private Future<Void> publish(Topic topic, String kind, JsonObject data, Quiz quiz) {
    return gateway.publish(topic, kind, data).<Void>mapEmpty().recover(err -> notPushed(quiz, kind, topic, err));
  }

  private static Future<Void> notPushed(Quiz quiz, String kind, Topic topic, Throwable err) {
    log.warn("Quiz {}: {} not pushed to {}", quiz.id(), kind, topic.name(), err);
    return Future.succeededFuture();
  }

  /** Closes the question once its window (deadline and grace) and the settling time have passed. */
  private void scheduleClose(Quiz quiz) {
    int position = quiz.currentPosition();
    long delay = quiz.timing(position).answersUntil().toEpochMilli() + SETTLE.toMillis() - System.currentTimeMillis();
    closeTimers.put(quiz.id(), vertx.setTimer(Math.max(1, delay), id -> {
      closeTimers.remove(quiz.id(), id);
      closeAtDeadline(quiz.eventId(), quiz.id(), position);
    }));
  }

  /** Each tick, closes the open questions whose window ended a while ago and that nobody closed. */
  private void sweep() {
    long now = System.nanoTime();
    cache.values().removeIf(cached -> now - cached.loadedAt() >= CACHE_NANOS);
    quizzes.overdue(SWEEP_MARGIN)
        .onSuccess(overdue -> overdue.forEach(question -> closeAtDeadline(question.eventId(), question.quizId(),
            question.position())))
        .onFailure(err -> log.warn("Could not look for quiz questions past their deadline", err));
  }

  private void closeAtDeadline(long eventId, long quizId, int position) {
    quizzes.closeAtDeadline(eventId, quizId, position, Instant.now())
        .compose(quiz -> quiz == null ? Future.succeededFuture() : closed(quiz, position))
        .onFailure(err -> log.warn("Question {} of quiz {} not closed at its deadline; the sweep retries", position,
            quizId, err));
  }

  /**
   * After a question closed: pushes the question with its correct options and the top ten to the audience, ranked
   * here in the leaderboard's order, while every player's standing is written to the leaderboard; completes once
   * the push is out. Each player's own result follows, to its attendee topic, {@link #PRIVATE_RESULTS_AFTER} after
   * both are done, without holding up whoever closed the question (a presenter's request). The top ten do not wait
   * for the leaderboard's write: the time from the deadline to the podium is what every player notices at once.
   */
  private Future<Void> closed(Quiz quiz, int position) {
    return quizzes.standings(quiz, position).compose(standings -> {
      List<Standing> ranked = Leaderboard.ranked(standings);
      Future<Void> pushed = publish(quiz, "quiz-results", results(quiz, position, ranked));
      Future<Void> written = leaderboard.write(quiz.id(), standings).onFailure(err -> log.warn(
          "Question {} of quiz {} closed, but its leaderboard was not written; ranks read later may be stale",
          position, quiz.id(), err));
      Future.join(pushed, written).onComplete(ar -> vertx.setTimer(PRIVATE_RESULTS_AFTER.toMillis(),
          timer -> sendPrivateResults(quiz, position, ranked, 0)));
      return pushed;
    }).recover(err -> {
      log.warn("Question {} of quiz {} closed, but its leaderboard was not pushed", position, quiz.id(), err);
      return Future.succeededFuture();
    });
  }

  /** A closed question's results in a language: the same counts and top ten in each, the question translated. */
  private static Function<String, JsonObject> results(Quiz quiz, int position, List<Standing> ranked) {
    long answered = ranked.stream().filter(standing -> standing.gained() != null).count();
    long correct = ranked.stream().filter(standing -> Boolean.TRUE.equals(standing.correct())).count();
    JsonArray leaderboardTop = Leaderboard.topJson(quiz.id(), ranked);
    Instant now = Instant.now();
    return language -> new JsonObject().put("quizId", quiz.id()).put("questionCount", quiz.questionCount())
        .put("question", quiz.questionJson(position, now, language)).put("answered", answered)
        .put("answeredCorrectly", correct).put("players", ranked.size()).put("leaderboard", leaderboardTop);
  }

  /** Each player's own result, a bounded number in flight at a time; one that fails is logged, not retried. */
  private Future<Void> sendPrivateResults(Quiz quiz, int position, List<Standing> ranked, int from) {
    if (from >= ranked.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(ranked.size(), from + PRIVATE_RESULTS_IN_FLIGHT);
    List<Future<Void>> sent = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Standing standing = ranked.get(i);
      JsonObject result = new JsonObject().put("quizId", quiz.id()).put("position", position)
          .put("player", Leaderboard.player(quiz.id(), standing.registrationId()))
          .put("answered", standing.gained() != null).put("correct", standing.correct())
          .put("gained", standing.gained() == null ? 0 : standing.gained()).put("score", standing.score())
          .put("rank", i + 1).put("players", ranked.size()).put("streak", standing.streak())
          .put("correctAnswers", standing.correctAnswers());
      sent.add(publish(Topic.attendee(standing.registrationId()), "quiz-result", result, quiz));
    }
    return Future.join(sent).transform(ar -> sendPrivateResults(quiz, position, ranked, to));
  }

  private Future<JsonObject> answer(QuizAnswer request) {
    UUID answerId = Scopes.clientId(request.answerId(), "answerId", "answer");
    return quiz(request.eventId(), request.quizId()).compose(quiz -> {
      QuizQuestion question = quiz.question(request.position());
      JsonObject answer = answers.check(question.definition(), request.answer());
      JsonObject op = new JsonObject().put("event_id", request.eventId()).put("quiz_id", quiz.id())
          .put("position", request.position()).put("registration_id", request.registrationId().toString())
          .put("answer_id", answerId.toString()).put("answer", answer)
          .put("received_ms", request.receivedAtMillis());
      return writers.submit(request.eventId(), op).map(result -> answered(quiz, request, answerId, result))
          .onSuccess(answered -> {
            if ("recorded".equals(answered.getString("outcome"))) {
              recorded.increment();
            }
          });
    });
  }

  /** A durable answer's outcome, or its refusal as a problem: nothing was stored then. */
  private static JsonObject answered(Quiz quiz, QuizAnswer request, UUID answerId, JsonObject result) {
    String outcome = result.getString("outcome");
    String question = "question " + request.position() + " of quiz " + quiz.id();
    return switch (outcome) {
      case "recorded", "replayed" -> new JsonObject().put("quizId", quiz.id()).put("position", request.position())
          .put("answerId", answerId.toString()).put("outcome", outcome).put("answer", result.getJsonObject("answer"))
          .put("responseMs", result.getInteger("response_ms"));
      case "not-found" -> throw Quiz.notFound(quiz.id());
      case "registration-inactive" -> throw new ProblemException(ProblemType.REGISTRATION_INACTIVE,
          "this registration was cancelled or erased");
      case "already-answered" -> throw new ProblemException(ProblemType.ALREADY_ANSWERED,
          "you already answered " + question);
      case "question-not-open" -> throw new ProblemException(ProblemType.QUESTION_NOT_OPEN,
          question + " is not open yet");
      case "too-late" -> throw new ProblemException(ProblemType.ANSWER_TOO_LATE, "your answer to " + question
          + " arrived after its deadline and grace of " + Quiz.GRACE_MILLIS + " ms");
      case "question-closed" -> throw new ProblemException(ProblemType.QUESTION_CLOSED,
          question + " was closed before your answer could be taken");
      default -> throw new IllegalStateException("unexpected answer outcome " + outcome);
    };
  }

  /**
   * A quiz as answers need it, from a short-lived cache: its questions never change, and whether an answer is
   * taken is decided by the database.
   */
  private Future<Quiz> quiz(long eventId, long quizId) {
    Cached cached = cache.get(quizId);
    if (cached != null && cached.quiz().eventId() == eventId && System.nanoTime() - cached.loadedAt() < CACHE_NANOS) {
      return Future.succeededFuture(cached.quiz());
    }
    return quizzes.get(eventId, quizId).map(quiz -> {
      cache.put(quizId, new Cached(quiz, System.nanoTime()));
      return quiz;
    });
  }
}
