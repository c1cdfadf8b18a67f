package io.foyer.interactions;

import io.foyer.testing.TestServices;
import java.util.Map;

/** Polls on the Redis engine, as every node of a cluster runs them. */
class RedisPollsTest extends PollsContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_REDIS_URL", TestServices.redisUrl());
  }
}
