package io.foyer.testing;

import com.nimbusds.jose.JOSEObjectType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A real OpenID Connect provider for the tests (mock-oauth2-server: discovery, JWKS, authorization and token
 * endpoints, signed ID tokens), and the Foyer configuration that connects a node to it. Without a queued person,
 * a sign-in gets a random subject and no claims.
 */
public final class OidcServer implements AutoCloseable {

  /** The client Foyer is registered as. */
  public static final String CLIENT_ID = "foyer";
  public static final String CLIENT_SECRET = "foyer-client-secret";

  private final MockOAuth2Server server;

  private OidcServer(MockOAuth2Server server) {
    this.server = server;
  }

  public static OidcServer start() {
    return start(0);
  }

  /** On a given port (0: any free one), for a test whose node was told the provider's address before it ran. */
  public static OidcServer start(int port) {
    MockOAuth2Server server = new MockOAuth2Server();
    server.start(port);
    return new OidcServer(server);
  }

  /** The issuer URL of one of the server's issuers (each id is a provider of its own, with its own key). */
  public String issuer(String issuerId) {
    return server.issuerUrl(issuerId).toString();
  }

  public MockOAuth2Server server() {
    return server;
  }

  /**
   * FOYER_* variables for a node whose browsers reach it at publicUrl, with provider {@code id} at this server's
   * issuer of the same id, granting roles by the given rules.
   */
  public Map<String, String> foyerEnvironment(String publicUrl, String id, String roleRules) {
    Map<String, String> env = new HashMap<>();
    env.put("FOYER_SSO_PUBLIC_URL", publicUrl);
    String prefix = "FOYER_SSO_PROVIDERS_" + id.toUpperCase(java.util.Locale.ROOT) + "_";
    env.put(prefix + "ISSUER", issuer(id));
    env.put(prefix + "CLIENT_ID", CLIENT_ID);
    env.put(prefix + "CLIENT_SECRET", CLIENT_SECRET);
    env.put(prefix + "LABEL", "Example " + id);
    env.put(prefix + "ROLES", roleRules);
    return env;
  }

  /** The next sign-in at this issuer is this person, with these extra claims (which may override the standard ones). */
  public void nextSignIn(String issuerId, String subject, Map<String, Object> claims, long expirySeconds) {
    server.enqueueCallback(new DefaultOAuth2TokenCallback(issuerId, subject, JOSEObjectType.JWT.getType(), null,
        claims, expirySeconds));
  }

  /** The next sign-in is a person with a name, an email and the given groups. */
  public void nextSignIn(String issuerId, String subject, String name, List<String> groups) {
    Map<String, Object> claims = new HashMap<>();
    claims.put("name", name);
    claims.put("email", subject + "@example.com");
    claims.put("email_verified", true);
    claims.put("groups", groups);
    nextSignIn(issuerId, subject, claims, 3600);
  }

  /** A token signed by this server's key for issuerId, with exactly these claims on top of the defaults. */
  public String token(String issuerId, String subject, List<String> audience, Map<String, Object> claims,
      long expirySeconds) {
    return server.issueToken(issuerId, CLIENT_ID, new DefaultOAuth2TokenCallback(issuerId, subject,
        JOSEObjectType.JWT.getType(), audience, claims, expirySeconds)).serialize();
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
