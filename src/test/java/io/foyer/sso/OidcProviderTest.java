package io.foyer.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.config.FoyerConfig.SsoProvider;
import io.foyer.testing.OidcServer;
import io.foyer.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checks of an ID token against a real provider's discovery document and key set: a good token passes, and
 * a tampered signature, a key the provider does not publish, a foreign nonce or a token from the future do not.
 * An unknown key id fetches the key set again, at most once a minute.
 */
class OidcProviderTest {

  static OidcServer oidc;
  static Vertx vertx;
  OidcProvider provider;
  MovableClock clock;

  @BeforeAll
  static void startServer() {
    oidc = OidcServer.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (vertx != null) TestNodes.await(vertx.close());
    if (oidc != null) oidc.close();
  }

  @BeforeEach
  void newProvider() throws Exception {
    clock = new MovableClock();
    provider = new OidcProvider(vertx, new SsoProvider("corp", "Corp", oidc.issuer("corp"), OidcServer.CLIENT_ID,
        OidcServer.CLIENT_SECRET, List.of("openid"), "groups", RoleMapping.none(), true), clock);
    TestNodes.await(provider.warmUp());
    assertThat(provider.keyFetches()).isEqualTo(1);
  }

  @Test
  void aTokenFromTheProviderForThisClientAndSignInPasses() throws Exception {
    JsonObject claims = TestNodes.await(provider.verify(token("corp", Map.of("nonce", "n-1")), "n-1"));
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("iss")).isEqualTo(oidc.issuer("corp"));
  }

  @Test
  void aTamperedTokenOrSignatureIsRefused() throws Exception {
    String[] parts = token("corp", Map.of("nonce", "n-1")).split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1])));
    String promoted = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.put("sub", "admin").encode().getBytes());
    assertRefused(parts[0] + "." + promoted + "." + parts[2], "n-1", "bad-signature");
    String otherSignature = token("corp", Map.of("nonce", "n-2")).split("\\.")[2];
    assertRefused(parts[0] + "." + parts[1] + "." + otherSignature, "n-1", "bad-signature");
    assertRefused(parts[0] + "." + parts[1] + ".", "n-1", "malformed-token");
  }

  @Test
  void anUnknownKeyIdFetchesTheKeySetAgainAtMostOnceAMinute() throws Exception {
    // signed by the server's key for another issuer: a key id this provider's key set does not hold
    String stranger = oidc.token("stranger", "alice", List.of(OidcServer.CLIENT_ID),
        Map.of("iss", oidc.issuer("corp"), "nonce", "n-1"), 3600);
    // within a minute of discovery's own fetch, nothing is fetched
    assertRefused(stranger, "n-1", "unknown-key");
    assertThat(provider.keyFetches()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(61));
    assertRefused(stranger, "n-1", "unknown-key");
    assertThat(provider.keyFetches()).isEqualTo(2);
    assertRefused(stranger, "n-1", "unknown-key");
    clock.advance(Duration.ofSeconds(59));
    assertRefused(stranger, "n-1", "unknown-key");
    assertThat(provider.keyFetches()).as("no second fetch within the minute").isEqualTo(2);
    clock.advance(Duration.ofSeconds(2));
    assertRefused(stranger, "n-1", "unknown-key");
    assertThat(provider.keyFetches()).isEqualTo(3);
    // a good token still passes, with no fetch of its own
    TestNodes.await(provider.verify(token("corp", Map.of("nonce", "n-1")), "n-1"));
    assertThat(provider.keyFetches()).isEqualTo(3);
  }

  @Test
  void aNonceOfAnotherSignInOrNoneAtAllIsRefused() throws Exception {
    assertRefused(token("corp", Map.of("nonce", "n-1")), "n-2", "wrong-nonce");
    assertRefused(token("corp", Map.of()), "n-1", "wrong-nonce");
  }

  @Test
  void aTokenIssuedInTheFutureIsRefusedPastTheAllowedSkew() throws Exception {
    long inTenMinutes = Instant.now().plusSeconds(600).getEpochSecond();
    assertRefused(token("corp", Map.of("nonce", "n-1", "iat", inTenMinutes, "nbf", inTenMinutes)), "n-1",
        "not-yet-valid");
    long inThirtySeconds = Instant.now().plusSeconds(30).getEpochSecond();
    TestNodes.await(provider.verify(token("corp", Map.of("nonce", "n-1", "iat", inThirtySeconds)), "n-1"));
  }

  private String token(String issuerId, Map<String, Object> claims) {
    return oidc.token(issuerId, "alice", List.of(OidcServer.CLIENT_ID), claims, 3600);
  }

  private void assertRefused(String idToken, String nonce, String reason) throws Exception {
    Future<JsonObject> verified = provider.verify(idToken, nonce);
    Throwable failure = TestNodes.await(verified.transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(failure).as("refused as " + reason).isInstanceOf(SignInFailure.class);
    assertThat(((SignInFailure) failure).reason()).isEqualTo(reason);
  }

  /** The provider's clock, moved by the test to cross the minute between key fetches. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
