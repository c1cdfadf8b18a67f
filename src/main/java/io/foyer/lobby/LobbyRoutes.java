package io.foyer.lobby;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.lobby.LobbyMessages.Action;
import io.foyer.lobby.LobbyMessages.Admit;
import io.foyer.lobby.LobbyMessages.ChangeSettings;
import io.foyer.lobby.LobbyMessages.Control;
import io.foyer.lobby.LobbyMessages.Join;
import io.foyer.lobby.LobbyMessages.Lines;
import io.foyer.lobby.LobbyMessages.OfEvent;
import io.foyer.lobby.LobbyMessages.Status;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The HTTP face of the lobby (docs/api.md#lobby): attendees join, wait and are admitted without authentication
 * (the ticket is their proof); organizers set and steer the lobby. What it all means is decided by
 * {@link LobbyVerticle}.
 */
public final class LobbyRoutes implements ApiRoutes {

  /** The header a waiting client renews its ticket with (a query parameter {@code ticket} works too). */
  public static final String TICKET_HEADER = "Foyer-Lobby-Ticket";

  private final AuthHandlers auth;
  private final LobbyDesks desks;

  public LobbyRoutes(AuthHandlers auth, LobbyDesks desks) {
    this.auth = auth;
    this.desks = desks;
  }

  /** Mounted once per HTTP verticle, on its context: attendees' requests are answered by that loop's desk. */
  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/lobby";
    LobbyDesk desk = desks.here();
    api.post(base).handler(ctx -> join(ctx, desk));
    api.get(base).handler(ctx -> status(ctx, desk));
    api.post(base + "/admission").handler(ctx -> admit(ctx, desk));
    api.get(base + "/settings").handler(auth.organizer()).handler(ctx -> answer(ctx, LobbyMessages.SETTINGS,
        new OfEvent(organizerEvent(ctx))));
    api.put(base + "/settings").handler(auth.organizer()).handler(this::changeSettings);
    api.get(base + "/state").handler(auth.organizer()).handler(ctx -> answer(ctx, LobbyMessages.STATE,
        new OfEvent(organizerEvent(ctx))));
    api.post(base + "/:action").handler(auth.organizer()).handler(this::control);
    api.get("/lobbies").handler(auth.organizer()).handler(ctx -> answer(ctx, LobbyMessages.LINES,
        new Lines(AuthHandlers.organizer(ctx).eventScope())));
  }

  private void join(RoutingContext ctx, LobbyDesk desk) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    String email = null;
    if (ctx.body() != null && ctx.body().length() > 0) {
      Object given = RequestBodies.jsonObject(ctx).getValue("email");
      if (given != null && !(given instanceof String)) {
        throw new ProblemException(ProblemType.VALIDATION, "email must be a string");
      }
      email = (String) given;
    }
    Join join = new Join(eventId, email, ctx.request().remoteAddress().hostAddress());
    desk.join(join).onComplete(Replies.to(ctx, answer ->
        ctx.response().setStatusCode("admitted".equals(answer.getString("status")) ? 200 : 202)
            .putHeader("Content-Type", "application/json").end(answer.encode())));
  }

  private void status(RoutingContext ctx, LobbyDesk desk) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    String ticket = ctx.request().getHeader(TICKET_HEADER);
    desk.status(new Status(eventId, ticket != null ? ticket : ctx.request().getParam("ticket")))
        .onComplete(Replies.to(ctx, ctx::json));
  }

  private void admit(RoutingContext ctx, LobbyDesk desk) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Object ticket = RequestBodies.jsonObject(ctx).getValue("ticket");
    if (!(ticket instanceof String text) || text.isBlank()) {
      throw new ProblemException(ProblemType.VALIDATION, "ticket is required: the ticket the lobby gave you");
    }
    desk.admit(new Admit(eventId, text)).onComplete(Replies.to(ctx, ctx::json));
  }

  private void changeSettings(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    answer(ctx, LobbyMessages.CHANGE_SETTINGS, new ChangeSettings(eventId, RequestBodies.jsonObject(ctx),
        AuthHandlers.actor(ctx, organizer)));
  }

  private void control(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Action action = null;
    for (Action candidate : Action.values()) {
      if (candidate.name().toLowerCase(Locale.ROOT).equals(ctx.pathParam("action"))) {
        action = candidate;
      }
    }
    if (action == null) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no such path; a lobby can be paused, resumed, opened or "
          + "closed (pause, resume, open, close)");
    }
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    answer(ctx, LobbyMessages.CONTROL, new Control(eventId, action, AuthHandlers.actor(ctx, organizer)));
  }

  private static long organizerEvent(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    AuthHandlers.organizerFor(ctx, eventId);
    return eventId;
  }

  private static void answer(RoutingContext ctx, String address, Object request) {
    Future<JsonObject> answer = Bus.request(ctx.vertx(), address, request);
    answer.onComplete(Replies.to(ctx, ctx::json));
  }
}
