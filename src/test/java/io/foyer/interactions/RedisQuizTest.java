package io.foyer.interactions;

import io.foyer.testing.TestServices;
import java.util.Map;

/** Quizzes on the Redis engine, as every node of a cluster runs them. */
class RedisQuizTest extends QuizContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_REDIS_URL", TestServices.redisUrl());
  }
}
