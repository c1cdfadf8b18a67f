package io.foyer.presence;

import io.foyer.auth.AuthHandlers;
import io.foyer.bus.Bus;
import io.foyer.events.EventCatalog;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.presence.PresenceMessages.ReportRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The organizer's attendance report of a session, as JSON or CSV. */
public final class AttendanceRoutes implements ApiRoutes {

  private final AuthHandlers auth;
  private final EventCatalog catalog;

  public AttendanceRoutes(AuthHandlers auth, EventCatalog catalog) {
    this.auth = auth;
    this.catalog = catalog;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    api.get("/events/:eventId/sessions/:sessionId/attendance").handler(auth.organizer())
        .handler(ctx -> report(ctx, false));
    api.get("/events/:eventId/sessions/:sessionId/attendance.csv").handler(auth.organizer())
        .handler(ctx -> report(ctx, true));
  }

  private void report(RoutingContext ctx, boolean csv) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    long sessionId = RequestBodies.idParam(ctx, "sessionId");
    AuthHandlers.organizerFor(ctx, eventId);
    Future<Object> report = catalog.requireSession(eventId, sessionId)
        .compose(v -> Bus.request(ctx.vertx(), PresenceMessages.REPORT, new ReportRequest(eventId, sessionId, csv)));
    report.onComplete(Replies.to(ctx, body -> {
      if (csv) {
        ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"session-" + sessionId + "-attendance.csv\"")
            .end((String) body);
      } else {
        ctx.json(body);
      }
    }));
  }
}
