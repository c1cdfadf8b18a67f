package io.foyer.http;

import io.foyer.FoyerVersion;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.util.List;

/**
 * Builds the router every HTTP verticle instance serves: operations endpoints, the REST API mounted by each
 * capability under /api (each request with a deadline), the static webroot, and problem+json for every error.
 */
public final class RouterFactory {

  /** A capability's HTTP routes, mounted on the /api sub-router. */
  @FunctionalInterface
  public interface ApiRoutes {
    void mount(Vertx vertx, Router api);
  }

  /** Routes outside /api, mounted before it (the sign-in addresses and the session handler). */
  @FunctionalInterface
  public interface SiteRoutes {
    void mount(Vertx vertx, Router router);
  }

  private final long maxBodyBytes;
  private final Duration requestTimeout;
  private final HealthChecks readiness;
  private final PrometheusMeterRegistry metrics;
  private final JsonObject nodeInfo;
  private final List<ApiRoutes> apiRoutes;
  private final SiteRoutes siteRoutes;
  private final JsonObject uiLanguages = UiLanguages.list();

  public RouterFactory(long maxBodyBytes, Duration requestTimeout, HealthChecks readiness,
      PrometheusMeterRegistry metrics, JsonObject nodeInfo, SiteRoutes siteRoutes, List<ApiRoutes> apiRoutes) {
    this.maxBodyBytes = maxBodyBytes;
    this.requestTimeout = requestTimeout;
    this.readiness = readiness;
    this.metrics = metrics;
    this.nodeInfo = nodeInfo;
    this.apiRoutes = List.copyOf(apiRoutes);
    this.siteRoutes = siteRoutes;
  }

  public Router create(Vertx vertx) {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP").mergeIn(nodeInfo)));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    siteRoutes.mount(vertx, router);
    router.route("/api/*").subRouter(apiRouter(vertx));
    pages(router);
    // GET and HEAD only, so another method on a known path is a 405 rather than a static-file 404
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
        // revalidated on every load (a 304 when unchanged), so that a node's upgrade reaches open browsers
        .handler(StaticHandler.create("webroot").setCachingEnabled(true).setMaxAgeSeconds(0));
    router.route().failureHandler(ProblemResponses::handle);
    router.errorHandler(404, ProblemResponses::handle);
    router.errorHandler(405, ProblemResponses::handle);
    return router;
  }

  /**
   * The pages: each is one HTML file of the webroot whose script reads the event id from the address, so the
   * paths people share (/e/42) stay short; libraries come from WebJars on the classpath, at /webjars/.
   */
  private void pages(Router router) {
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(RouterFactory::pageHeaders);
    router.get("/e/:eventId").handler(ctx -> ctx.reroute("/attendee.html"));
    router.get("/present/:eventId").handler(ctx -> ctx.reroute("/present.html"));
    router.get("/ops").handler(ctx -> ctx.reroute("/ops.html"));
    router.get(UiLanguages.PATH).handler(ctx -> ctx.json(uiLanguages));
    router.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(true).setMaxAgeSeconds(86400));
  }

  /**
   * What a browser should enforce on the pages: scripts and connections to this origin only (the pages load nothing
   * from elsewhere, and put server data in the page as text), no framing by other sites. Style attributes are
   * allowed: the pages size bars and words with them.
   */
  private static void pageHeaders(RoutingContext ctx) {
    if (!ctx.request().path().startsWith("/api/")) {
      ctx.response().headers()
          .set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
              + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
          .set("X-Content-Type-Options", "nosniff")
          .set("Referrer-Policy", "same-origin");
    }
    ctx.next();
  }

  private Router apiRouter(Vertx vertx) {
    Router api = Router.router(vertx);
    // first, so that the deadline also covers a body that is slow to arrive
    api.route().handler(new RequestDeadline(requestTimeout));
    api.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    api.get("/").handler(ctx -> ctx.json(new JsonObject()
        .put("name", "foyer").put("version", FoyerVersion.get()).mergeIn(nodeInfo)));
    apiRoutes.forEach(routes -> routes.mount(vertx, api));
    api.route().failureHandler(ProblemResponses::handle);
    return api;
  }
}
