package io.foyer.gateway;

import io.foyer.auth.Credentials;
import io.foyer.config.FoyerConfig.GatewayConfig;
import io.foyer.live.LiveState;
import io.foyer.presence.Presence;
import io.vertx.core.Vertx;
import java.time.Duration;

/** What every connection of a node needs from the node: shared, immutable, safe on any event loop. */
record GatewayServices(Vertx vertx, GatewayConfig config, LiveState live, Duration historyMaxAge,
    Credentials credentials, TopicAccess access, Snapshots snapshots, Presence presence,
    String nodeId) {}
