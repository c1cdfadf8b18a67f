package io.foyer.registration;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.events.EventCatalog;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.http.Validation;
import io.foyer.registration.InviteCodes.Order;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** The organizer API for an event's invite codes: make them, list them with their uses left, revoke one. */
public final class InviteRoutes implements ApiRoutes {

  static final int MAX_COUNT = 1000;
  static final int MAX_USES = 1_000_000;
  private static final int MAX_LABEL = 100;

  private final AuthHandlers auth;
  private final InviteCodes invites;
  private final EventCatalog catalog;

  public InviteRoutes(AuthHandlers auth, InviteCodes invites, EventCatalog catalog) {
    this.auth = auth;
    this.invites = invites;
    this.catalog = catalog;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/invites";
    api.post(base).handler(auth.organizer()).handler(this::create);
    api.get(base).handler(auth.organizer()).handler(this::list);
    api.delete(base + "/:inviteId").handler(auth.organizer()).handler(this::revoke);
  }

  /** {"count": n (default 1), "uses": m (default 1), "label": optional}, every problem reported at once. */
  static Order order(JsonObject body) {
    Validation v = new Validation();
    v.onlyKnown(body, List.of("count", "uses", "label"));
    Long count = v.wholeNumber(body, "count", 1, MAX_COUNT, "must be a whole number from 1 to " + MAX_COUNT);
    Long uses = v.wholeNumber(body, "uses", 1, MAX_USES, "must be a whole number from 1 to " + MAX_USES);
    String label = v.text(body, "label", false, MAX_LABEL);
    v.throwIfInvalid();
    return new Order(count == null ? 1 : count.intValue(), uses == null ? 1 : uses.intValue(),
        label == null || label.isEmpty() ? null : label);
  }

  private void create(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Order order = order(RequestBodies.jsonObject(ctx));
    catalog.get(eventId)
        .compose(event -> invites.create(eventId, order, AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, made -> ctx.response().setStatusCode(201)
            .putHeader("Content-Type", "application/json")
            // the codes are in this answer only: nothing must keep a copy of it
            .putHeader("Cache-Control", "no-store")
            .end(new JsonObject().put("invites", made).encode())));
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    AuthHandlers.organizerFor(ctx, eventId);
    catalog.get(eventId).compose(event -> invites.list(eventId))
        .onComplete(Replies.to(ctx, list -> ctx.json(new JsonObject().put("invites", list))));
  }

  private void revoke(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    long inviteId = RequestBodies.idParam(ctx, "inviteId");
    invites.revoke(eventId, inviteId, AuthHandlers.actor(ctx, organizer))
        .onComplete(Replies.to(ctx, ctx::json));
  }
}
