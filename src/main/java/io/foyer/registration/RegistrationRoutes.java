package io.foyer.registration;

import io.foyer.auth.Attendee;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.lobby.LobbyDesk;
import io.foyer.lobby.LobbyDesks;
import io.foyer.lobby.LobbyMessages.CheckRegistration;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages.Admission;
import io.foyer.registration.RegistrationMessages.Answer;
import io.foyer.registration.RegistrationMessages.Cancel;
import io.foyer.registration.RegistrationMessages.Csv;
import io.foyer.registration.RegistrationMessages.ListPage;
import io.foyer.registration.RegistrationMessages.Mine;
import io.foyer.registration.RegistrationMessages.OfOne;
import io.foyer.registration.RegistrationMessages.Register;
import io.foyer.registration.RegistrationMessages.SignIn;
import io.foyer.sso.SsoSession;
import io.foyer.sso.SsoUser;
import io.foyer.registration.RegistrationMessages.UpdateMine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP face of registration: turns requests into registration messages and the answers into responses.
 * What a registration means is decided by {@link RegistrationVerticle}.
 */
public final class RegistrationRoutes implements ApiRoutes {

  private static final Set<String> STATUSES = Set.of("confirmed", "waitlisted", "cancelled");
  /** The header a registration carries its lobby admission token in. */
  public static final String ADMISSION_HEADER = "Foyer-Admission";

  private final AuthHandlers auth;
  private final LobbyDesks lobby;

  public RegistrationRoutes(AuthHandlers auth, LobbyDesks lobby) {
    this.auth = auth;
    this.lobby = lobby;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/registrations";
    // what the node's registration writer last said of its admission, kept on this HTTP verticle's event loop
    AtomicReference<Admission> admission = new AtomicReference<>(Admission.OPEN);
    Bus.listen(vertx, RegistrationMessages.ADMISSION, admission::set);
    LobbyDesk desk = lobby.here();
    api.post(base).handler(ctx -> register(ctx, admission.get(), desk));
    api.get(base + "/me").handler(auth.attendee()).handler(this::mine);
    api.patch(base + "/me").handler(auth.attendee()).handler(this::updateMine);
    api.delete(base + "/me").handler(auth.attendee()).handler(this::cancelMine);
    api.get("/events/:eventId/registrations.csv").handler(auth.organizer()).handler(this::csv);
    api.get(base).handler(auth.organizer()).handler(this::list);
    api.get(base + "/:registrationId").handler(auth.organizer()).handler(this::one);
    api.delete(base + "/:registrationId").handler(auth.organizer()).handler(this::cancelByOrganizer);
    api.get(base + "/:registrationId/export").handler(auth.organizer()).handler(this::export);
    api.delete(base + "/:registrationId/personal-data").handler(auth.organizer()).handler(this::erase);
  }

  private void register(RoutingContext ctx, Admission admission, LobbyDesk desk) {
    if (admission.refusing(System.nanoTime())) {
      // the writer refuses for now: answered here, without the work and the hops of a registration
      ctx.fail(new ProblemException(ProblemType.OVERLOADED, "too many registrations waiting to be written; retry "
          + "shortly", null, admission.retryAfter()));
      return;
    }
    long eventId = RequestBodies.idParam(ctx, "eventId");
    JsonObject body = RequestBodies.jsonObject(ctx);
    SignIn signIn = signIn(ctx);
    Register request = new Register(eventId, body, ctx.request().getHeader("Idempotency-Key"), signIn);
    // while the event's lobby is open, only an admitted attendee registers (docs/api.md#lobby)
    CheckRegistration admitted = new CheckRegistration(eventId, ctx.request().getHeader(ADMISSION_HEADER),
        body.getValue("email") instanceof String email ? email : signIn == null ? null : signIn.email());
    desk.checkRegistration(admitted)
        .compose(v -> RegistrationRoutes.<Answer>ask(ctx, RegistrationMessages.REGISTER, request))
        .onComplete(Replies.to(ctx, answer -> {
          if (answer.holder()) {
            ctx.response().putHeader("Location", ctx.request().path() + "/me");
          }
          ctx.response().setStatusCode(answer.statusCode()).putHeader("Content-Type", "application/json")
              .end(answer.body().encode());
        }));
  }

  /**
   * Who is signed in on the request's cookie, or null. Whether they may register by it (the session's CSRF token
   * came along, their provider admits attendees) is recorded, not enforced, here: only an 'sso' event needs the
   * sign-in, and the route does not know the event's mode yet.
   */
  private static SignIn signIn(RoutingContext ctx) {
    SsoUser user = SsoUser.of(ctx);
    if (user == null) {
      return null;
    }
    ProblemException refusal = null;
    try {
      SsoSession.registrant(ctx);
    } catch (ProblemException refused) {
      refusal = refused;
    }
    return new SignIn(user.provider(), user.subject(), user.name(), user.email(), refusal);
  }

  private void mine(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    answerJson(ctx, ask(ctx, RegistrationMessages.GET_MINE, new Mine(eventId, attendee.registrationId())));
  }

  private void updateMine(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    answerJson(ctx, ask(ctx, RegistrationMessages.UPDATE_MINE,
        new UpdateMine(eventId, attendee.registrationId(), RequestBodies.jsonObject(ctx))));
  }

  private void cancelMine(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    answerJson(ctx, ask(ctx, RegistrationMessages.CANCEL, new Cancel(eventId, attendee.registrationId(), null)));
  }

  private void cancelByOrganizer(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    answerJson(ctx, ask(ctx, RegistrationMessages.CANCEL,
        new Cancel(eventId, registrationParam(ctx), AuthHandlers.actor(ctx, organizer))));
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    String status = ctx.request().getParam("status");
    if (status != null && !STATUSES.contains(status)) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "status must be one of " + STATUSES);
    }
    int limit = intParam(ctx, "limit", 100, 1, 1000);
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    answerJson(ctx, ask(ctx, RegistrationMessages.LIST, new ListPage(eventId, status, limit, offset, AuthHandlers.actor(ctx, organizer))));
  }

  private void one(RoutingContext ctx) {
    answerJson(ctx, ask(ctx, RegistrationMessages.VIEW, ofOne(ctx)));
  }

  private void export(RoutingContext ctx) {
    RegistrationRoutes.<JsonObject>ask(ctx, RegistrationMessages.EXPORT, ofOne(ctx))
        .onComplete(Replies.to(ctx, export -> ctx.response().putHeader("Content-Type", "application/json")
            .putHeader("Content-Disposition", "attachment; filename=\"registration-"
                + export.getJsonObject("registration").getString("id") + ".json\"")
            .end(export.encodePrettily())));
  }

  private void erase(RoutingContext ctx) {
    answerJson(ctx, ask(ctx, RegistrationMessages.ERASE, ofOne(ctx)));
  }

  private void csv(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    RegistrationRoutes.<String>ask(ctx, RegistrationMessages.CSV, new Csv(eventId, AuthHandlers.actor(ctx, organizer)))
        .onComplete(Replies.to(ctx, csv -> ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"event-" + eventId + "-registrations.csv\"")
            .end(csv)));
  }

  private static OfOne ofOne(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    return new OfOne(eventId, registrationParam(ctx), AuthHandlers.actor(ctx, organizer));
  }

  private static <R> Future<R> ask(RoutingContext ctx, String address, Object request) {
    return Bus.request(ctx.vertx(), address, request);
  }

  private static void answerJson(RoutingContext ctx, Future<JsonObject> answer) {
    answer.onComplete(Replies.to(ctx, ctx::json));
  }

  private static UUID registrationParam(RoutingContext ctx) {
    String value = ctx.pathParam("registrationId");
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no registration " + value);
    }
  }

  private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ProblemException(ProblemType.BAD_REQUEST, name + " must be a whole number from " + min + " to " + max);
  }

}
