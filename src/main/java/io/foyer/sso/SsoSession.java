package io.foyer.sso;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * What a browser's server-side session holds for single sign-on: the sign-in under way (state, nonce, PKCE
 * verifier), then the person signed in, the token that every state-changing request they send with the cookie
 * must repeat in a header (a cookie alone proves nothing: another site can make the browser send it), and the
 * ID token the provider's logout asks for.
 */
public final class SsoSession {

  /** The header a cookie-authenticated state-changing request carries its CSRF token in. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  static final String PENDING = "foyer.sso.pending";
  static final String CSRF = "foyer.sso.csrf";
  static final String ID_TOKEN = "foyer.sso.idToken";
  /** Whether the provider signed in through may register attendees (its attendees setting). */
  static final String MAY_REGISTER = "foyer.sso.mayRegister";
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
  private static final SecureRandom RANDOM = new SecureRandom();

  private SsoSession() {}

  /**
   * The person signed in on this request's cookie, or null. For a state-changing method the request must also
   * carry the session's CSRF token, else it fails with 403 csrf-token-invalid and nothing happens.
   */
  public static SsoUser signedIn(RoutingContext ctx) {
    SsoUser user = SsoUser.of(ctx);
    if (user != null && !SAFE.contains(ctx.request().method())) {
      requireCsrfToken(ctx);
    }
    return user;
  }

  /**
   * The person signed in who may register as an attendee (their provider allows attendees), for a registration
   * by sign-in; null when nobody is signed in. A registration changes state, so the CSRF token is required, and a
   * provider that does not allow attendees is refused with 403.
   */
  public static SsoUser registrant(RoutingContext ctx) {
    SsoUser user = signedIn(ctx);
    if (user != null && !Boolean.TRUE.equals(ctx.session().get(MAY_REGISTER))) {
      throw new ProblemException(ProblemType.FORBIDDEN, "attendees do not register through " + user.provider()
          + "; sign in with another provider");
    }
    return user;
  }

  /** Fails with 403 csrf-token-invalid unless the request repeats its session's CSRF token. */
  static void requireCsrfToken(RoutingContext ctx) {
    Session session = ctx.session();
    String expected = session == null ? null : session.get(CSRF);
    String given = ctx.request().getHeader(CSRF_HEADER);
    if (expected == null || given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8))) {
      throw new ProblemException(ProblemType.CSRF_TOKEN_INVALID, "a request signed in by cookie must repeat the "
          + "session's CSRF token in the " + CSRF_HEADER + " header (GET /api/auth/session gives it)");
    }
  }

  /** Records the person as signed in, under a new session id (so that an id planted before sign-in is worthless). */
  static void signIn(Session session, SsoUser user, String idToken, boolean mayRegister) {
    session.remove(PENDING);
    session.regenerateId();
    session.put(SsoUser.SESSION_KEY, user.toJson().encode());
    session.put(CSRF, randomToken());
    session.put(ID_TOKEN, idToken);
    session.put(MAY_REGISTER, mayRegister);
  }

  static String csrfToken(Session session) {
    return session.get(CSRF);
  }

  /** A random URL-safe token of 32 bytes (state, nonce, PKCE verifier, CSRF token). */
  static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The PKCE S256 challenge of a verifier. */
  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
