package io.foyer.auth;

import io.foyer.config.FoyerConfig.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The organizer keys and the attendee token signer of a node. */
public record Credentials(OrganizerKeys keys, AttendeeTokens tokens) {

  /** Reads (or on a first start generates) keys and secret in the data directory, off the event loop. */
  public static Future<Credentials> load(Vertx vertx, AuthConfig config, Path dataDir) {
    return vertx.executeBlocking(() -> {
      OrganizerKeys keys = OrganizerKeys.load(config.apiKeys(), dataDir);
      String secret = AttendeeTokens.loadSecret(config.tokenSecret(), dataDir);
      return new Credentials(keys, AttendeeTokens.create(vertx, secret, config.attendeeTokenTtl()));
    }, false);
  }
}
