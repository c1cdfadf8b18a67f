package io.foyer.gateway;

import java.util.Map;

/** The gateway on the single-node memory engine. */
class MemoryGatewayTest extends GatewayContract {

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_LIVE_ENGINE", "memory");
  }
}
