package io.foyer.interactions;

import io.foyer.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What an organizer or presenter defines of a quiz: its title, where it runs, how it scores, its questions. */
record QuizDefinition(String title, Long sessionId, Scoring scoring, boolean streakBonus,
    List<QuizQuestion> questions) {

  static final int MAX_TITLE = 200;
  static final int MAX_QUESTIONS = 100;
  private static final List<String> MEMBERS = List.of("title", "sessionId", "scoring", "streakBonus", "questions");

  /**
   * How correct answers score (docs/api.md#scoring): standard (Kahoot's: faster scores more) or accuracy (a
   * correct answer scores its full points; speed only breaks ties, so it never outweighs a correct answer).
   */
  enum Scoring {
    STANDARD, ACCURACY;

    String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Scoring of(Object name) {
      for (Scoring scoring : values()) {
        if (scoring.apiName().equals(name)) {
          return scoring;
        }
      }
      return null;
    }
  }

  /** Checks a whole quiz; every problem is reported at once (422 validation-failed). */
  static QuizDefinition fromJson(JsonObject body) {
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    String title = v.text(body, "title", true, MAX_TITLE);
    Long sessionId = v.wholeNumber(body, "sessionId", 1, Long.MAX_VALUE, "must be the id of a session of the event");
    Scoring scoring = Scoring.of(body.getValue("scoring", Scoring.STANDARD.apiName()));
    if (scoring == null) {
      v.fail("scoring", "must be standard or accuracy");
    }
    Object streak = body.getValue("streakBonus", false);
    if (!(streak instanceof Boolean)) {
      v.fail("streakBonus", "must be true or false");
    }
    List<QuizQuestion> questions = new ArrayList<>();
    if (!(body.getValue("questions") instanceof JsonArray given) || given.isEmpty()
        || given.size() > MAX_QUESTIONS) {
      v.fail("questions", "must be a list of 1 to " + MAX_QUESTIONS + " questions");
    } else {
      for (int i = 0; i < given.size(); i++) {
        questions.add(QuizQuestion.fromJson(v, "questions[" + i + "].", given.getValue(i)));
      }
    }
    v.throwIfInvalid();
    return new QuizDefinition(title, sessionId, scoring, (Boolean) streak, List.copyOf(questions));
  }
}
