package io.foyer.interactions;

import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One question of a quiz: a single or multiple choice question defined as a poll's (texts, translations,
 * options, maxPicks; checked by {@link PollDefinition}), with what makes it a quiz question: the correct
 * option ids, the time limit and the points it is worth.
 */
record QuizQuestion(PollDefinition definition, List<String> correct, int timeLimitSeconds, int points) {

  static final int DEFAULT_TIME_LIMIT = 20;
  static final int MAX_TIME_LIMIT = 240;
  static final int STANDARD_POINTS = 1000;
  private static final List<Integer> POINTS = List.of(0, STANDARD_POINTS, 2 * STANDARD_POINTS);
  private static final List<String> QUIZ_MEMBERS = List.of("correct", "timeLimitSeconds", "points");
  private static final List<String> MEMBERS = List.of("kind", "question", "translations", "options", "maxPicks",
      "correct", "timeLimitSeconds", "points");

  /** Checks one question of a quiz body, reporting its problems under prefix (e.g. "questions[2]."). */
  static QuizQuestion fromJson(Validation v, String prefix, Object value) {
    if (!(value instanceof JsonObject body)) {
      v.fail(prefix.substring(0, prefix.length() - 1), "must be an object {kind, question, options, correct, ...}");
      return null;
    }
    Validation own = new Validation();
    own.onlyKnown(body, MEMBERS);
    Object kind = body.getValue("kind");
    if (!PollKind.SINGLE_CHOICE.apiName().equals(kind) && !PollKind.MULTIPLE_CHOICE.apiName().equals(kind)) {
      own.fail("kind", "must be single_choice or multiple_choice");
    }
    PollDefinition definition = asPoll(own, body);
    List<String> correct = definition == null ? null : correct(own, definition, body.getValue("correct"));
    int timeLimit = whole(own, body, "timeLimitSeconds", 1, MAX_TIME_LIMIT, DEFAULT_TIME_LIMIT);
    Object points = body.getValue("points", STANDARD_POINTS);
    if (!(points instanceof Number n) || n.doubleValue() != n.intValue() || !POINTS.contains(n.intValue())) {
      own.fail("points", "must be 0, 1000 (standard) or 2000 (double)");
    }
    try {
      own.throwIfInvalid();
    } catch (ProblemException invalid) {
      v.failAll(prefix, invalid);
      return null;
    }
    return new QuizQuestion(definition, correct, timeLimit, ((Number) points).intValue());
  }

  /** The question's poll part, checked as a poll's definition; its problems are added to v. */
  private static PollDefinition asPoll(Validation v, JsonObject body) {
    JsonObject poll = body.copy();
    QUIZ_MEMBERS.forEach(poll::remove);
    // the kind was checked already, against the two a quiz asks
    poll.put("kind", PollKind.MULTIPLE_CHOICE.apiName().equals(body.getValue("kind"))
        ? PollKind.MULTIPLE_CHOICE.apiName() : PollKind.SINGLE_CHOICE.apiName());
    try {
      return PollDefinition.fromJson(poll);
    } catch (ProblemException invalid) {
      v.failAll("", invalid);
      return null;
    }
  }

  /** The correct option ids: 1 or more distinct ids of the options; a multiple choice names at most maxPicks. */
  private static List<String> correct(Validation v, PollDefinition definition, Object value) {
    if (!(value instanceof JsonArray ids) || ids.isEmpty()) {
      v.fail("correct", "is required: the ids of the correct options, for example [\"a\"]");
      return null;
    }
    Set<String> distinct = new LinkedHashSet<>();
    for (Object id : ids) {
      if (!(id instanceof String option) || !definition.optionIds().contains(option) || !distinct.add(option)) {
        v.fail("correct", "must name distinct ids of the options " + definition.optionIds());
        return null;
      }
    }
    Integer maxPicks = definition.settings().getInteger("maxPicks");
    if (maxPicks != null && distinct.size() > maxPicks) {
      v.fail("correct", "names more options than maxPicks (" + maxPicks + ") lets a player pick");
      return null;
    }
    return List.copyOf(distinct);
  }

  private static int whole(Validation v, JsonObject body, String field, int min, int max, int fallback) {
    Long value = v.wholeNumber(body, field, min, max, "must be a whole number from " + min + " to " + max);
    return value == null ? fallback : value.intValue();
  }

  int timeLimitMillis() {
    return timeLimitSeconds * 1000;
  }

  /**
   * The question as it is shown: texts (in one language, or with every translation when language is null),
   * options, maxPicks, limit and points; the correct options only when asked (once the question closed).
   */
  JsonObject toJson(boolean withCorrect, String language) {
    JsonObject json = new JsonObject().put("kind", definition.kind().apiName());
    if (language == null) {
      json.put("question", definition.question()).put("translations", definition.translations())
          .put("options", definition.options());
    } else {
      json.mergeIn(definition.textsIn(language)).put("language", language);
    }
    Integer maxPicks = definition.settings().getInteger("maxPicks");
    if (maxPicks != null) {
      json.put("maxPicks", maxPicks);
    }
    json.put("timeLimitSeconds", timeLimitSeconds).put("points", points);
    return withCorrect ? json.put("correct", new JsonArray(correct)) : json;
  }
}
