package io.foyer.sso;

import io.foyer.audit.Actor;
import io.foyer.auth.PresenterTokens;
import io.foyer.config.FoyerConfig.SsoConfig;
import io.foyer.config.FoyerConfig.SsoProvider;
import io.foyer.events.EventCatalog;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.Validation;
import io.foyer.live.LiveState;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.SessionHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on with OpenID Connect for a node: the configured providers, the browser's way through a sign-in
 * (/auth/{provider}/login, then the provider, then /auth/{provider}/callback), and the API the pages use
 * (/api/auth/...). Sessions live in LiveState behind an HttpOnly, SameSite=Lax (and by default Secure) cookie.
 * Nothing of an ID token is logged: failures name their reason only.
 */
public final class SingleSignOn {

  private static final Logger LOG = LoggerFactory.getLogger(SingleSignOn.class);
  public static final String COOKIE = "foyer_session";
  /** A sign-in not finished within this is refused, and its state is remembered as used for as long. */
  static final Duration SIGN_IN_WINDOW = Duration.ofMinutes(10);
  private static final int MAX_RETURN_LENGTH = 512;

  private final SsoConfig config;
  private final LiveState live;
  private final PresenterTokens presenters;
  private final EventCatalog catalog;
  private final Map<String, OidcProvider> providers = new LinkedHashMap<>();
  private final LiveStateSessionStore sessions;
  private final MeterRegistry metrics;

  public SingleSignOn(Vertx vertx, SsoConfig config, LiveState live, PresenterTokens presenters,
      EventCatalog catalog, MeterRegistry metrics, Clock clock) {
    this.config = config;
    this.metrics = metrics;
    this.live = live;
    this.presenters = presenters;
    this.catalog = catalog;
    for (SsoProvider provider : config.providers()) {
      OidcProvider oidc = new OidcProvider(vertx, provider, clock);
      providers.put(provider.id(), oidc);
      FunctionCounter.builder("foyer.sso.key.fetches", oidc, OidcProvider::keyFetches)
          .description("times the provider's key set was fetched (discovery, or a token with an unknown key id)")
          .tag("provider", provider.id()).register(metrics);
    }
    this.sessions = new LiveStateSessionStore(vertx, live);
  }

  public boolean enabled() {
    return config.enabled();
  }

  /** Reads each provider's discovery document and keys in the background, so that the first sign-in is quick. */
  public void warmUp() {
    providers.values().forEach(OidcProvider::warmUp);
  }

  public void close() {
    providers.values().forEach(OidcProvider::close);
  }

  /** The providers and their role rules, for the ops page (no secrets). */
  public JsonArray describe() {
    JsonArray list = new JsonArray();
    providers.values().forEach(provider -> {
      SsoProvider p = provider.config();
      list.add(new JsonObject().put("id", p.id()).put("label", p.label()).put("issuer", p.issuer())
          .put("rolesClaim", p.rolesClaim()).put("roles", new JsonArray(p.roles().describe()))
          .put("attendees", p.attendees()));
    });
    return list;
  }

  /**
   * Mounts the session handler on the sign-in addresses and the API (a session is only looked up for a request
   * that brings its cookie, and only made when a sign-in starts), and the sign-in addresses themselves.
   */
  public void mountSignIn(Vertx vertx, Router router) {
    if (!enabled()) {
      return;
    }
    SessionHandler handler = SessionHandler.create(sessions)
        .setSessionCookieName(COOKIE)
        .setCookieHttpOnlyFlag(true)
        .setCookieSecureFlag(config.secureCookie())
        .setCookieSameSite(CookieSameSite.LAX)
        .setSessionTimeout(config.sessionTtl().toMillis())
        .setLazySession(true);
    router.route("/auth/*").handler(handler);
    router.route("/api/*").handler(handler);
    router.get("/auth/:provider/login").handler(this::login);
    router.get("/auth/:provider/callback").handler(this::callback);
  }

  /** The API the pages use: which providers there are, who is signed in, signing out, a presenter token. */
  public void mountApi(Vertx vertx, Router api) {
    api.get("/auth/providers").handler(ctx -> {
      JsonArray list = new JsonArray();
      providers.values().forEach(p -> list.add(new JsonObject().put("id", p.config().id())
          .put("label", p.config().label()).put("attendees", p.config().attendees())
          .put("login", "/auth/" + p.config().id() + "/login")));
      ctx.json(new JsonObject().put("providers", list));
    });
    api.get("/auth/session").handler(this::sessionView);
    api.post("/auth/logout").handler(this::logout);
    api.post("/auth/presenter-token").handler(this::presenterToken);
  }

  private OidcProvider provider(RoutingContext ctx) {
    OidcProvider provider = providers.get(ctx.pathParam("provider"));
    if (provider == null) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no sign-in provider '" + ctx.pathParam("provider")
          + "' is configured");
    }
    return provider;
  }

  private String redirectUri(OidcProvider provider) {
    return config.publicUrl() + "/auth/" + provider.config().id() + "/callback";
  }

  /** GET /auth/{provider}/login?return=/present/42: remembers the sign-in in the session, sends the browser on. */
  private void login(RoutingContext ctx) {
    OidcProvider provider = provider(ctx);
    String returnTo = returnPath(ctx.request().getParam("return"));
    String state = SsoSession.randomToken();
    String nonce = SsoSession.randomToken();
    String verifier = SsoSession.randomToken();
    Session session = ctx.session();
    // a second sign-in started in the same browser replaces the first, whose callback is then refused
    session.put(SsoSession.PENDING, new JsonObject().put("provider", provider.config().id()).put("state", state)
        .put("nonce", nonce).put("verifier", verifier).put("return", returnTo)
        .put("startedAt", System.currentTimeMillis()).encode());
    onRequestContext(provider.authorizationUrl(redirectUri(provider), state, nonce, SsoSession.challenge(verifier)))
        .recover(e -> Future.failedFuture(unavailable(provider, e)))
        .onComplete(Replies.to(ctx, url -> ctx.response().setStatusCode(302).putHeader("Location", url)
            .putHeader("Cache-Control", "no-store").end()));
  }

  /** Only a path of this site, so that a sign-in link cannot send someone elsewhere afterwards. */
  private static String returnPath(String requested) {
    if (requested == null || requested.isEmpty()) {
      return "/";
    }
    if (requested.length() > MAX_RETURN_LENGTH || !requested.startsWith("/") || requested.startsWith("//")
        || requested.contains("\\") || requested.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "return must be a path on this site, such as /present/42");
    }
    return requested;
  }

  /** GET /auth/{provider}/callback?code&state: checks everything, signs the person in, sends them back. */
  private void callback(RoutingContext ctx) {
    OidcProvider provider = provider(ctx);
    String error = ctx.request().getParam("error");
    if (error != null) {
      throw new ProblemException(ProblemType.SIGN_IN_FAILED, "the provider refused the sign-in: "
          + clip(error) + describeError(ctx.request().getParam("error_description")),
          new JsonObject().put("reason", "provider-refused"));
    }
    Session session = ctx.session();
    JsonObject pending = session.get(SsoSession.PENDING) instanceof String json ? new JsonObject(json) : null;
    String state = ctx.request().getParam("state");
    String code = ctx.request().getParam("code");
    if (pending == null || state == null || !state.equals(pending.getString("state"))
        || !provider.config().id().equals(pending.getString("provider"))) {
      throw new ProblemException(ProblemType.SIGN_IN_STATE_INVALID, "this browser has no sign-in under way with "
          + "this state (it was used already, or started elsewhere): start again from the page");
    }
    if (System.currentTimeMillis() - pending.getLong("startedAt") > SIGN_IN_WINDOW.toMillis()) {
      session.remove(SsoSession.PENDING);
      throw new ProblemException(ProblemType.SIGN_IN_STATE_INVALID, "the sign-in took longer than "
          + SIGN_IN_WINDOW.toMinutes() + " minutes: start again from the page");
    }
    if (code == null || code.isEmpty()) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "the provider sent no code");
    }
    session.remove(SsoSession.PENDING);
    // the session's copy goes when this request ends; this makes a state usable once across every node at once
    Future<Verified> verified = live.setIfAbsent("sso:state:" + state, "used", SIGN_IN_WINDOW)
        .compose(first -> first ? Future.succeededFuture()
            : Future.failedFuture(new ProblemException(ProblemType.SIGN_IN_STATE_INVALID,
                "this sign-in was completed already: start again from the page")))
        .compose(v -> provider.exchange(code, pending.getString("verifier"), redirectUri(provider)))
        .compose(idToken -> provider.verify(idToken, pending.getString("nonce"))
            .map(claims -> new Verified(userOf(provider.config(), claims), idToken)));
    onRequestContext(verified)
        .recover(e -> Future.failedFuture(e instanceof SignInFailure failure ? refused(provider, failure) : e))
        .onComplete(ar -> count(provider, ar.succeeded() ? "signed-in"
            : ar.cause() instanceof ProblemException problem ? reasonOf(problem) : "error"))
        .onComplete(Replies.to(ctx, signedIn -> {
          SsoSession.signIn(session, signedIn.user(), signedIn.idToken(), provider.config().attendees());
          LOG.info("Signed in through {} with roles {}", provider.config().id(), signedIn.user().roles());
          ctx.response().setStatusCode(303).putHeader("Location", pending.getString("return"))
              .putHeader("Cache-Control", "no-store").end();
        }));
  }

  /** A person whose ID token passed every check, and that token (kept for the provider's logout). */
  private record Verified(SsoUser user, String idToken) {}

  private void count(OidcProvider provider, String outcome) {
    metrics.counter("foyer.sso.sign.ins", "provider", provider.config().id(), "outcome", outcome).increment();
  }

  /** A refusal's reason (sign-in-failed), or its code (a replayed state, a provider that cannot be reached). */
  private static String reasonOf(ProblemException problem) {
    String reason = problem.extensions().getString("reason");
    return reason != null ? reason : problem.type().code();
  }

  private static ProblemException refused(OidcProvider provider, SignInFailure failure) {
    LOG.warn("Sign-in through {} refused: {} ({})", provider.config().id(), failure.reason(), failure.getMessage());
    return new ProblemException(ProblemType.SIGN_IN_FAILED, failure.getMessage(),
        new JsonObject().put("reason", failure.reason()));
  }

  private static ProblemException unavailable(OidcProvider provider, Throwable e) {
    LOG.warn("SSO provider {} is not reachable: {}", provider.config().id(), e.getMessage());
    return new ProblemException(ProblemType.UNAVAILABLE, "sign-in with " + provider.config().label()
        + " is not available right now: try again shortly");
  }

  private static String describeError(String description) {
    return description == null ? "" : " (" + clip(description) + ")";
  }

  private static String clip(String text) {
    String printable = text.replaceAll("[^\\p{Print}]", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
  }

  /** The person as Foyer keeps them: name and email from the token, roles from its roles claim by the rules. */
  static SsoUser userOf(SsoProvider provider, JsonObject claims) {
    String email = claims.getValue("email") instanceof String e && !e.isBlank() ? e.trim() : null;
    String name = firstText(claims.getValue("name"),
        joined(claims.getValue("given_name"), claims.getValue("family_name")),
        claims.getValue("preferred_username"), email, claims.getString("sub"));
    boolean verified = Boolean.TRUE.equals(claims.getValue("email_verified"));
    return new SsoUser(provider.id(), claims.getString("sub"), name, email, verified,
        java.util.Set.copyOf(provider.roles().grants(claimValues(claims, provider.rolesClaim()))));
  }

  /** The values of a (dotted) claim: a list's text items, or one text value; nothing when absent. */
  static List<String> claimValues(JsonObject claims, String path) {
    Object value = claims;
    for (String part : path.split("\\.")) {
      value = value instanceof JsonObject object ? object.getValue(part) : null;
    }
    List<String> values = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> {
        if (item instanceof String text) {
          values.add(text);
        }
      });
    } else if (value instanceof String text) {
      values.add(text);
    }
    return values;
  }

  private static String joined(Object given, Object family) {
    String joined = ((given instanceof String g ? g : "") + " " + (family instanceof String f ? f : "")).trim();
    return joined.isEmpty() ? null : joined;
  }

  private static String firstText(Object... candidates) {
    for (Object candidate : candidates) {
      if (candidate instanceof String text && !text.isBlank()) {
        return text.trim();
      }
    }
    return null;
  }

  /** GET /api/auth/session: who is signed in on this cookie, with the CSRF token the pages must send back. */
  private void sessionView(RoutingContext ctx) {
    SsoUser user = SsoUser.of(ctx);
    ctx.response().putHeader("Cache-Control", "no-store");
    if (user == null) {
      ctx.json(new JsonObject().put("signedIn", false));
      return;
    }
    OidcProvider provider = providers.get(user.provider());
    ctx.json(user.toJson().put("signedIn", true).put("csrfToken", SsoSession.csrfToken(ctx.session()))
        .put("providerLabel", provider == null ? user.provider() : provider.config().label()));
  }

  /**
   * POST /api/auth/logout: ends the session here; where the provider offers it, answers the address that ends
   * the provider's session too, for the page to go to.
   */
  private void logout(RoutingContext ctx) {
    SsoUser user = SsoSession.signedIn(ctx);
    if (user == null) {
      ctx.json(new JsonObject().put("signedOut", true));
      return;
    }
    Session session = ctx.session();
    String idToken = session.get(SsoSession.ID_TOKEN);
    session.destroy();
    OidcProvider provider = providers.get(user.provider());
    if (provider == null) {
      // signed in through a provider the configuration no longer has: there is no provider session to end
      ctx.json(new JsonObject().put("signedOut", true).putNull("providerLogout"));
      return;
    }
    onRequestContext(provider.endSessionUrl().otherwiseEmpty())
        .onComplete(Replies.to(ctx, endSession -> ctx.json(new JsonObject().put("signedOut", true)
            .put("providerLogout", endSession == null ? null : endSession + (endSession.contains("?") ? "&" : "?")
                + "id_token_hint=" + encode(idToken) + "&client_id=" + encode(provider.config().clientId())
                + "&post_logout_redirect_uri=" + encode(config.publicUrl() + "/")))));
  }

  /**
   * POST /api/auth/presenter-token {"eventId": 42}: a presenter token, for as long as a sign-in lasts, for someone
   * whose roles let them run the event's interactions; the presenter console uses it on its WebSocket.
   */
  private void presenterToken(RoutingContext ctx) {
    SsoUser user = SsoSession.signedIn(ctx);
    if (user == null) {
      throw new ProblemException(ProblemType.UNAUTHORIZED, "sign in first");
    }
    JsonObject body = RequestBodies.jsonObject(ctx);
    Validation validation = new Validation();
    validation.onlyKnown(body, List.of("eventId"));
    Long eventId = validation.wholeNumber(body, "eventId", 1, Long.MAX_VALUE, "must be an event id");
    validation.throwIfInvalid();
    if (eventId == null) {
      throw new ProblemException(ProblemType.VALIDATION, "eventId is required");
    }
    if (!user.holds(StaffRole.ORGANIZER, eventId) && !user.holds(StaffRole.PRESENTER, eventId)
        && !user.holds(StaffRole.MODERATOR, eventId)) {
      throw new ProblemException(ProblemType.FORBIDDEN, "your sign-in grants no role for event " + eventId);
    }
    Actor actor = new Actor(user.actorName(), ctx.request().remoteAddress().hostAddress());
    onRequestContext(catalog.get(eventId).compose(event -> presenters.issue(eventId, null,
            user.name() == null ? user.subject() : user.name(), config.sessionTtl(), actor)))
        .onComplete(Replies.to(ctx, issued -> ctx.response().setStatusCode(201)
            .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
            .end(issued.toJson().encode())));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }

  /**
   * Providers are shared by the node's event loops; this brings an outcome back to the request's own event loop
   * before its handlers go on.
   */
  private static <T> Future<T> onRequestContext(Future<T> future) {
    Context context = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }
}
