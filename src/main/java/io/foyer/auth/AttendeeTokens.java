package io.foyer.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Signs and checks attendee tokens: HS256 JWTs naming the registration (sub), its event and the role. A
 * token's times derive from the moment the attendee registered (consented), so the same registration always
 * gets the same token (an idempotent replay answers byte for byte what the first request got).
 */
public final class AttendeeTokens {

  static final String SECRET_FILE = "token-secret";
  static final String ISSUER = "foyer";
  private static final String ROLE = "attendee";

  private final JWTAuth jwt;
  private final Duration ttl;

  AttendeeTokens(JWTAuth jwt, Duration ttl) {
    this.jwt = jwt;
    this.ttl = ttl;
  }

  /**
   * The HS256 signer of every token a node issues (attendee, presenter and lobby tokens share the node's secret);
   * ignoringExpiry for a caller that checks expiry itself.
   */
  static JWTAuth signer(Vertx vertx, String secret, boolean ignoringExpiry) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setIgnoreExpiration(ignoringExpiry)));
  }

  /** Signs claims the way every Foyer token is signed: HS256, issuer foyer, times set by the caller. */
  static String sign(JWTAuth jwt, JsonObject claims) {
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setIssuer(ISSUER).setNoTimestamp(true));
  }

  /** Blocking: the configured secret, else the one in data.dir/token-secret, generated on first start. */
  public static String loadSecret(String configured, Path dataDir) throws IOException {
    if (!configured.isEmpty()) {
      return configured;
    }
    Path file = dataDir.resolve(SECRET_FILE);
    GeneratedSecrets.createPrivate(file, GeneratedSecrets.random(48));
    return Files.readString(file).trim();
  }

  public String issue(UUID registrationId, long eventId, Instant registeredAt) {
    long issuedAt = registeredAt.getEpochSecond();
    JsonObject claims = new JsonObject()
        .put("sub", registrationId.toString())
        .put("event", eventId)
        .put("role", ROLE)
        .put("iat", issuedAt)
        .put("exp", issuedAt + ttl.toSeconds());
    return sign(jwt, claims);
  }

  /** The attendee a token names; fails when the token is forged, expired or not an attendee token. */
  public Future<Attendee> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token)).compose(user -> {
      JsonObject claims = user.principal();
      if (!ROLE.equals(claims.getString("role")) || claims.getString("sub") == null
          || claims.getValue("event") == null) {
        return Future.failedFuture("not an attendee token");
      }
      try {
        return Future.succeededFuture(new Attendee(UUID.fromString(claims.getString("sub")),
            claims.getLong("event")));
      } catch (RuntimeException e) {
        return Future.failedFuture("malformed attendee token");
      }
    });
  }
}
