package io.foyer.interactions;

import java.util.Map;

/** Polls on the single-node memory engine. */
class MemoryPollsTest extends PollsContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_LIVE_ENGINE", "memory");
  }
}
