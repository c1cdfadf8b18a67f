package io.foyer.lobby;

import io.foyer.testing.TestServices;
import java.util.Map;

/** The lobby's lines on the Redis engine, as every node of a cluster keeps them. */
class LobbyLinesRedisTest extends LobbyLinesContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_REDIS_URL", TestServices.redisUrl());
  }
}
