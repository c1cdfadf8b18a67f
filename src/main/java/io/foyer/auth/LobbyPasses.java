package io.foyer.auth;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The lobby's signed passes, HS256 JWTs with the node's token secret like every Foyer token, each with a role of
 * its own so that neither is ever taken for an attendee token (nor one for the other):
 *
 * <ul>
 *   <li>a queue ticket: the attendee's place in an event's line (its arrival number, issued cluster-wide in
 *       arrival order) and when it was last renewed; the server keeps nothing else of a waiting attendee;
 *   <li>an admission token: leave to register for an event until it expires, once.
 * </ul>
 */
public final class LobbyPasses {

  private static final String TICKET = "lobby-ticket";
  private static final String ADMISSION = "lobby-admission";

  /** A queue ticket: arrival number in the event's line, and the last renewal (epoch milliseconds). */
  public record Ticket(long eventId, long number, long renewedAtMillis) {}

  /** An admission: its id (one registration per id), and its expiry. */
  public record Admission(long eventId, String id, Instant expiresAt) {}

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  /** The JOSE header the JWT library writes for HS256, base64url-encoded. */
  private static final String HS256_HEADER = BASE64URL.encodeToString(
      "{\"typ\":\"JWT\",\"alg\":\"HS256\"}".getBytes(StandardCharsets.US_ASCII));

  private final JWTAuth jwt;
  private final ThreadLocal<Mac> macs;

  LobbyPasses(JWTAuth jwt, String secret) {
    this.jwt = jwt;
    SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e);
      }
    });
  }

  /**
   * Signs a ticket: the node's most frequent signature (every join and every renewal), so it is made here with one
   * Mac per thread, as the JWT library would make it byte for byte (its signer shares one Mac between the event
   * loops and encodes the claims with the data-binding codec, a seventh of a join's time on the event loop);
   * tickets are read back by the library like every token.
   */
  public String ticket(Ticket ticket) {
    String claims = "{\"role\":\"" + TICKET + "\",\"event\":" + ticket.eventId() + ",\"n\":" + ticket.number()
        + ",\"seen\":" + ticket.renewedAtMillis() + ",\"iss\":\"" + AttendeeTokens.ISSUER + "\"}";
    String signed = HS256_HEADER + "." + BASE64URL.encodeToString(claims.getBytes(StandardCharsets.US_ASCII));
    return signed + "." + BASE64URL.encodeToString(macs.get().doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The ticket a string holds; fails with 400 invalid-ticket when forged, altered or not a ticket. */
  public Future<Ticket> readTicket(String token) {
    return claims(token, TICKET, ProblemType.INVALID_TICKET, "not a valid lobby ticket").map(claims ->
        new Ticket(claims.getLong("event"), claims.getLong("n"), claims.getLong("seen")));
  }

  /** Signs an admission; the same admission always signs to the same token (an exchange asked twice). */
  public String admission(Admission admission, Instant issuedAt) {
    return AttendeeTokens.sign(jwt, new JsonObject().put("role", ADMISSION).put("event", admission.eventId())
        .put("jti", admission.id()).put("iat", issuedAt.getEpochSecond())
        .put("exp", admission.expiresAt().getEpochSecond()));
  }

  /**
   * The admission a string holds; fails with 403 invalid-admission when forged, altered or not an admission, and
   * with 403 admission-expired once expired.
   */
  public Future<Admission> readAdmission(String token) {
    // expiry is checked here rather than by the JWT library, to tell an expired admission from a forged one
    return claims(token, ADMISSION, ProblemType.INVALID_ADMISSION, "not a valid admission token").compose(claims -> {
      Instant expiresAt = Instant.ofEpochSecond(claims.getLong("exp"));
      if (!Instant.now().isBefore(expiresAt)) {
        return Future.failedFuture(new ProblemException(ProblemType.ADMISSION_EXPIRED,
            "this admission expired; join the lobby again"));
      }
      return Future.succeededFuture(new Admission(claims.getLong("event"), claims.getString("jti"), expiresAt));
    });
  }

  private Future<JsonObject> claims(String token, String role, ProblemType invalid, String message) {
    if (token == null || token.isBlank() || token.length() > 2048) {
      return Future.failedFuture(new ProblemException(invalid, message));
    }
    return jwt.authenticate(new TokenCredentials(token)).transform(ar -> {
      // the whole payload: the principal lacks the times, which the JWT provider moves to the attributes
      JsonObject claims = ar.succeeded() ? ar.result().attributes().getJsonObject("accessToken") : null;
      if (claims == null || !role.equals(claims.getString("role")) || !(claims.getValue("event") instanceof Number)
          || (TICKET.equals(role) && !(claims.getValue("n") instanceof Number && claims.getValue("seen") instanceof Number))
          || (ADMISSION.equals(role) && !(claims.getValue("jti") instanceof String
              && claims.getValue("exp") instanceof Number))) {
        return Future.failedFuture(new ProblemException(invalid, message));
      }
      return Future.succeededFuture(claims);
    });
  }
}
