package io.foyer.interactions;

import io.foyer.gateway.Topic;
import io.foyer.http.Times;
import io.foyer.interactions.QuizDefinition.Scoring;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A stored quiz: its definition, where it runs, and how far it got. Questions are numbered from 1 (their
 * position); currentPosition is the question open now or closed last (0 before the first).
 */
record Quiz(long id, long eventId, QuizDefinition definition, Status status, int currentPosition,
    List<Timing> timings, Instant createdAt, Instant startedAt, Instant finishedAt) {

  /**
   * The grace after a question's deadline for answers still on their way: an answer that reached a node within it
   * counts (docs/api.md#quizzes).
   */
  static final long GRACE_MILLIS = 250;

  /** A quiz's life: drafted, running (its questions opened one by one), finished. */
  enum Status {
    DRAFT, RUNNING, FINISHED;

    String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Status of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  /** Who closed a question: its deadline (plus the grace) or the presenter, earlier. */
  enum ClosedBy {
    DEADLINE, PRESENTER;

    String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** When a question opened, its deadline, the end of its grace and when it closed; null until each happens. */
  record Timing(Instant openedAt, Instant deadline, Instant answersUntil, Instant closedAt, String closedBy) {

    static final Timing NOT_OPENED = new Timing(null, null, null, null, null);

    boolean open() {
      return openedAt != null && closedAt == null;
    }

    boolean closed() {
      return closedAt != null;
    }
  }

  /** A quiz from its row, whose questions column holds each question row as JSON, in order. */
  static Quiz from(Row row) {
    List<QuizQuestion> questions = new ArrayList<>();
    List<Timing> timings = new ArrayList<>();
    for (Object value : (JsonArray) row.getValue("questions")) {
      JsonObject question = (JsonObject) value;
      JsonObject text = question.getJsonObject("question");
      JsonObject settings = question.getJsonObject("settings").put("allowChange", false);
      PollDefinition definition = new PollDefinition(PollKind.of(question.getString("kind")), null,
          text.getString("text"), text.getJsonObject("translations", new JsonObject()),
          question.getJsonArray("options"), settings, false);
      questions.add(new QuizQuestion(definition, question.getJsonArray("correct").stream().map(String.class::cast)
          .toList(), question.getInteger("time_limit_ms") / 1000, question.getInteger("points")));
      timings.add(new Timing(instant(question, "opened_at"), instant(question, "deadline"),
          instant(question, "answers_until"), instant(question, "closed_at"), question.getString("closed_by")));
    }
    QuizDefinition definition = new QuizDefinition(row.getString("title"), row.getLong("session_id"),
        Scoring.valueOf(row.getString("scoring").toUpperCase(Locale.ROOT)), row.getBoolean("streak_bonus"),
        List.copyOf(questions));
    return new Quiz(row.getLong("id"), row.getLong("event_id"), definition, Status.of(row.getString("status")),
        row.getInteger("current_position"), List.copyOf(timings), instant(row.getOffsetDateTime("created_at")),
        instant(row.getOffsetDateTime("started_at")), instant(row.getOffsetDateTime("finished_at")));
  }

  private static Instant instant(JsonObject json, String field) {
    String text = json.getString(field);
    return text == null ? null : OffsetDateTime.parse(text).toInstant();
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  static ProblemException notFound(long quizId) {
    return new ProblemException(ProblemType.NOT_FOUND, "no quiz " + quizId + " in this event");
  }

  int questionCount() {
    return definition.questions().size();
  }

  /** The question at a position (from 1); 404 when the quiz has none there. */
  QuizQuestion question(long position) {
    if (position < 1 || position > questionCount()) {
      throw new ProblemException(ProblemType.NOT_FOUND, "quiz " + id + " has no question " + position
          + " (it has " + questionCount() + ")");
    }
    return definition.questions().get((int) position - 1);
  }

  Timing timing(int position) {
    return timings.get(position - 1);
  }

  /** The question open now, or 0. */
  int openPosition() {
    return currentPosition > 0 && timing(currentPosition).open() ? currentPosition : 0;
  }

  /** The last question closed, or 0. */
  int lastClosedPosition() {
    return currentPosition > 0 && timing(currentPosition).closed() ? currentPosition
        : Math.max(0, currentPosition - 1);
  }

  /** Where the quiz's audience listens: its session's topic, or its event's. */
  Topic audience() {
    return definition.sessionId() != null ? Topic.session(definition.sessionId()) : Topic.event(eventId);
  }

  /**
   * Everything, for those who run the quiz: every question with its timing, each one's correct options once it
   * closed (principle 6: the correct answer never leaves the server before, not even to them).
   */
  JsonObject toJson(Instant now) {
    JsonArray questions = new JsonArray();
    for (int position = 1; position <= questionCount(); position++) {
      questions.add(questionJson(position, now, null));
    }
    return summary().put("questions", questions);
  }

  /**
   * What players may see: the quiz and its current question (opened questions only, never the next ones), in a
   * language (null: with every translation).
   */
  JsonObject audienceJson(Instant now, String language) {
    return summary().put("current", currentPosition == 0 ? null : questionJson(currentPosition, now, language));
  }

  /** The languages any question of the quiz is translated into. */
  Set<String> languages() {
    Set<String> languages = new HashSet<>();
    definition.questions().forEach(question -> languages.addAll(question.definition().languages()));
    return languages;
  }

  /**
   * A question with its timing: openedAt, deadline, remainingMs (by the server's clock now) and open; its correct
   * options once it closed, and only then. Its texts in a language, or with every translation (null).
   */
  JsonObject questionJson(int position, Instant now, String language) {
    Timing timing = timing(position);
    JsonObject json = new JsonObject().put("position", position)
        .mergeIn(question(position).toJson(timing.closed(), language))
        .put("openedAt", Times.format(timing.openedAt())).put("deadline", Times.format(timing.deadline()))
        .put("graceMs", GRACE_MILLIS).put("open", timing.open());
    if (timing.open()) {
      json.put("remainingMs", Math.max(0, timing.deadline().toEpochMilli() - now.toEpochMilli()));
    }
    return json.put("closedAt", Times.format(timing.closedAt())).put("closedBy", timing.closedBy());
  }

  private JsonObject summary() {
    return new JsonObject().put("id", id).put("eventId", eventId).put("title", definition.title())
        .put("sessionId", definition.sessionId()).put("scoring", definition.scoring().apiName())
        .put("streakBonus", definition.streakBonus()).put("status", status.apiName())
        .put("questionCount", questionCount()).put("currentPosition", currentPosition)
        .put("createdAt", Times.format(createdAt)).put("startedAt", Times.format(startedAt))
        .put("finishedAt", Times.format(finishedAt));
  }
}
