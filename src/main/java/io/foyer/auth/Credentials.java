package io.foyer.auth;

import io.foyer.config.FoyerConfig.AuthConfig;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;

/** The organizer keys, the attendee token signer and the presenter tokens of a node. */
public record Credentials(OrganizerKeys keys, AttendeeTokens tokens, PresenterTokens presenters,
    LobbyPasses lobby) {

  /**
   * Reads (or on a first start generates) keys and secret in the data directory, off the event loop; presenter
   * tokens are checked against the presenter_tokens table of their event's database.
   */
  public static Future<Credentials> load(Vertx vertx, AuthConfig config, Path dataDir, Pool pool) {
    return load(vertx, config, dataDir, RegionalStores.single("local", pool));
  }

  public static Future<Credentials> load(Vertx vertx, AuthConfig config, Path dataDir, RegionalStores stores) {
    return vertx.executeBlocking(() -> {
      OrganizerKeys keys = OrganizerKeys.load(config.apiKeys(), dataDir);
      String secret = AttendeeTokens.loadSecret(config.tokenSecret(), dataDir);
      JWTAuth signer = AttendeeTokens.signer(vertx, secret, false);
      // the lobby tells an expired admission from a forged one, so it checks expiry itself
      return new Credentials(keys, new AttendeeTokens(signer, config.attendeeTokenTtl()),
          new PresenterTokens(signer, stores), new LobbyPasses(AttendeeTokens.signer(vertx, secret, true), secret));
    }, false);
  }
}
