package io.foyer.interactions;

import java.util.Map;

/** Quizzes on the single-node memory engine. */
class MemoryQuizTest extends QuizContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_LIVE_ENGINE", "memory");
  }
}
