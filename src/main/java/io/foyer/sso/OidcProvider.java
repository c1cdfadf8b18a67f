package io.foyer.sso;

import io.foyer.config.FoyerConfig.SsoProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenID Connect provider of the node: its discovery document, the authorization URL, the code exchange
 * (vertx-auth-oauth2), and the checks of an ID token. The ID token is checked here rather than by the OAuth2
 * provider, which drops an invalid one without saying why: its signature against the provider's JWKS (fetched
 * again when a token names a key id not seen, at most once a minute), then issuer, audience, authorized party,
 * expiry and nonce, each failure with its own reason. Shared by every HTTP verticle of the node.
 */
public final class OidcProvider {

  private static final Logger LOG = LoggerFactory.getLogger(OidcProvider.class);
  /** A provider's clock and ours may differ this much. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
  /** An unknown key id fetches the key set again no more often than this, so forged tokens cannot flood the provider. */
  static final Duration KEY_REFRESH_INTERVAL = Duration.ofMinutes(1);

  /** How vertx-auth-oauth2 says that the tokens of a code exchange had expired already. */
  private static final String EXPIRED_ON_ARRIVAL = "User token is expired.";

  /** What discovery found, and the OAuth2 provider built from it. */
  private record Discovered(OAuth2Auth oauth2, String issuer, String jwksUri, String endSession) {}

  private final Vertx vertx;
  private final SsoProvider config;
  private final Clock clock;
  private final HttpClient http;
  private final AtomicLong lastKeyFetch = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong keyFetches = new AtomicLong();
  private Future<Discovered> discovery;
  private volatile JWTAuth keys;

  public OidcProvider(Vertx vertx, SsoProvider config, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000).setIdleTimeout(30));
  }

  public SsoProvider config() {
    return config;
  }

  /** How many times the key set was fetched (discovery's first fetch included); for metrics and tests. */
  public long keyFetches() {
    return keyFetches.get();
  }

  /**
   * The discovery document, read once; a failed read is tried again on the next sign-in, so a provider that was
   * down when the node started does not need a restart.
   */
  private synchronized Future<Discovered> discovered() {
    if (discovery == null || discovery.failed()) {
      discovery = discover();
    }
    return discovery;
  }

  /** Reads discovery and the key set, so that the first sign-in does not wait for them; failures are logged. */
  public Future<Void> warmUp() {
    return discovered().<Void>mapEmpty().onFailure(e -> LOG.warn("SSO provider {}: discovery at {} failed ({}); "
        + "sign-in with it is tried again on the next attempt", config.id(), config.issuer(), e.getMessage()));
  }

  private Future<Discovered> discover() {
    String site = config.issuer().endsWith("/")
        ? config.issuer().substring(0, config.issuer().length() - 1) : config.issuer();
    OAuth2Options options = new OAuth2Options().setSite(site).setClientId(config.clientId())
        .setJWTOptions(new JWTOptions().setLeeway((int) CLOCK_SKEW.toSeconds()));
    if (!config.clientSecret().isEmpty()) {
      options.setClientSecret(config.clientSecret());
    }
    return OpenIDConnectAuth.discover(vertx, options).compose(oauth2 -> {
      String issuer = options.getJWTOptions().getIssuer();
      if (issuer == null || options.getJwkPath() == null || options.getAuthorizationPath() == null
          || options.getTokenPath() == null) {
        return Future.failedFuture("the discovery document lacks issuer, jwks_uri, authorization_endpoint or "
            + "token_endpoint");
      }
      Discovered found = new Discovered(oauth2, issuer, options.getJwkPath(), options.getLogoutPath());
      return fetchKeys(found).map(found);
    });
  }

  /** The address to send a browser to for signing in, with state, nonce and the PKCE challenge (S256). */
  public Future<String> authorizationUrl(String redirectUri, String state, String nonce, String codeChallenge) {
    return discovered().map(found -> found.oauth2().authorizeURL(new OAuth2AuthorizationURL()
        .setRedirectUri(redirectUri)
        .setScopes(config.scopes())
        .setState(state)
        .setCodeChallenge(codeChallenge)
        .setCodeChallengeMethod("S256")
        .putAdditionalParameter("nonce", nonce)));
  }

  /** Trades the code for tokens at the token endpoint; answers the raw ID token, or fails as a SignInFailure. */
  public Future<String> exchange(String code, String codeVerifier, String redirectUri) {
    return discovered()
        .compose(found -> found.oauth2().authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.AUTH_CODE)
            .setCode(code).setCodeVerifier(codeVerifier).setRedirectUri(redirectUri)))
        .recover(e -> Future.failedFuture(EXPIRED_ON_ARRIVAL.equals(e.getMessage())
            ? new SignInFailure("expired", "the provider's tokens had expired when they arrived; check the clocks")
            : new SignInFailure("code-rejected", "the provider did not accept the sign-in code: " + e.getMessage())))
        .compose(user -> {
          String idToken = user.principal().getString("id_token");
          return idToken == null
              ? Future.failedFuture(new SignInFailure("no-id-token", "the provider answered without an ID token "
                  + "(is the openid scope allowed for this client?)"))
              : Future.succeededFuture(idToken);
        });
  }

  /**
   * The claims of an ID token once it is proven to come from this provider, for this client, now, and for the
   * sign-in that sent the nonce; else a SignInFailure naming what was wrong.
   */
  public Future<JsonObject> verify(String idToken, String expectedNonce) {
    return discovered().compose(found -> signedClaims(found, idToken, true)
        .compose(claims -> checkClaims(found, claims, expectedNonce)));
  }

  private Future<JsonObject> signedClaims(Discovered found, String idToken, boolean mayRefresh) {
    JWTAuth current = keys;
    return current.authenticate(new TokenCredentials(idToken))
        .map(user -> user.attributes().getJsonObject("accessToken").copy())
        .recover(e -> {
          if (e instanceof NoSuchKeyIdException) {
            if (mayRefresh && mayFetchKeys()) {
              return fetchKeys(found).compose(v -> signedClaims(found, idToken, false));
            }
            return Future.failedFuture(new SignInFailure("unknown-key", "the ID token is signed with a key the "
                + "provider does not publish"));
          }
          if (e instanceof java.security.SignatureException) {
            return Future.failedFuture(new SignInFailure("bad-signature", "the ID token's signature is not valid"));
          }
          return Future.failedFuture(new SignInFailure("malformed-token", "the ID token is not a signed JWT"));
        });
  }

  private Future<JsonObject> checkClaims(Discovered found, JsonObject claims, String expectedNonce) {
    long now = clock.instant().getEpochSecond();
    long skew = CLOCK_SKEW.toSeconds();
    if (!found.issuer().equals(claims.getValue("iss"))) {
      return fail("wrong-issuer", "the ID token was issued by someone other than " + found.issuer());
    }
    List<String> audience = audience(claims.getValue("aud"));
    if (!audience.contains(config.clientId())) {
      return fail("wrong-audience", "the ID token is not meant for client " + config.clientId());
    }
    Object azp = claims.getValue("azp");
    if ((audience.size() > 1 || azp != null) && !config.clientId().equals(azp)) {
      return fail("wrong-audience", "the ID token was issued to another party than client " + config.clientId());
    }
    if (!(claims.getValue("exp") instanceof Number exp) || now > exp.longValue() + skew) {
      return fail("expired", "the ID token has expired");
    }
    if (claims.getValue("iat") instanceof Number iat && iat.longValue() > now + skew) {
      return fail("not-yet-valid", "the ID token was issued in the future; check the clocks");
    }
    if (claims.getValue("nbf") instanceof Number nbf && nbf.longValue() > now + skew) {
      return fail("not-yet-valid", "the ID token is not valid yet; check the clocks");
    }
    if (!(claims.getValue("sub") instanceof String sub) || sub.isEmpty()) {
      return fail("malformed-token", "the ID token names no subject");
    }
    if (expectedNonce == null || !expectedNonce.equals(claims.getValue("nonce"))) {
      return fail("wrong-nonce", "the ID token does not belong to this sign-in (nonce)");
    }
    return Future.succeededFuture(claims);
  }

  private static Future<JsonObject> fail(String reason, String detail) {
    return Future.failedFuture(new SignInFailure(reason, detail));
  }

  private static List<String> audience(Object aud) {
    if (aud instanceof String one) {
      return List.of(one);
    }
    List<String> list = new ArrayList<>();
    if (aud instanceof JsonArray many) {
      many.forEach(value -> list.add(String.valueOf(value)));
    }
    return list;
  }

  /** The provider's address for ending its own session (RP-initiated logout), or null when it offers none. */
  public Future<String> endSessionUrl() {
    return discovered().map(Discovered::endSession);
  }

  /** Takes the right to fetch the key set because of an unknown key id, when the last fetch is old enough. */
  private boolean mayFetchKeys() {
    long now = clock.millis();
    long last = lastKeyFetch.get();
    return now - last >= KEY_REFRESH_INTERVAL.toMillis() && lastKeyFetch.compareAndSet(last, now);
  }

  private Future<Void> fetchKeys(Discovered found) {
    lastKeyFetch.set(clock.millis());
    keyFetches.incrementAndGet();
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(found.jwksUri())
            .putHeader("Accept", "application/json").setTimeout(10_000))
        .compose(request -> request.send().compose(response -> response.statusCode() == 200
            ? response.body()
            : Future.failedFuture("the key set at " + found.jwksUri() + " answered " + response.statusCode())))
        .map(Buffer::toJsonObject)
        .map(jwks -> {
          List<JsonObject> signingKeys = new ArrayList<>();
          for (Object key : jwks.getJsonArray("keys", new JsonArray())) {
            // encryption keys cannot check a signature; keys without use are for signing by default
            if (key instanceof JsonObject jwk && !"enc".equals(jwk.getString("use"))) {
              signingKeys.add(jwk);
            }
          }
          if (signingKeys.isEmpty()) {
            // with no key at all the JWT library would take an unsigned token as valid
            throw new IllegalStateException("the key set at " + found.jwksUri() + " holds no signing key");
          }
          // expiry, issuer and audience are checked by checkClaims, each with its own reason
          keys = JWTAuth.create(vertx, new JWTAuthOptions().setJwks(signingKeys)
              .setJWTOptions(new JWTOptions().setIgnoreExpiration(true)));
          return null;
        });
  }

  public void close() {
    http.close();
  }
}
