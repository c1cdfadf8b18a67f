package io.foyer.lobby;

import java.util.Map;

/** The lobby's lines on the single-node memory engine. */
class LobbyLinesMemoryTest extends LobbyLinesContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_LIVE_ENGINE", "memory");
  }
}
