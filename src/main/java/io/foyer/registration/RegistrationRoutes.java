package io.foyer.registration;

import io.foyer.auth.Attendee;
import io.foyer.auth.AttendeeTokens;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.events.Event;
import io.foyer.events.EventCatalog;
import io.foyer.events.EventRepository.Actor;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.http.Times;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Attendee registration and self-service, and the organizer's view of registrations with data protection. */
public final class RegistrationRoutes implements ApiRoutes {

  private static final Set<String> STATUSES = Set.of("confirmed", "waitlisted", "cancelled");
  private static final List<String> UPDATABLE = List.of("name", "language", "answers");

  private final EventCatalog catalog;
  private final RegistrationCommands commands;
  private final RegistrationRepository registrations;
  private final AttendeeTokens tokens;
  private final AuthHandlers auth;

  public RegistrationRoutes(EventCatalog catalog, RegistrationCommands commands, RegistrationRepository registrations,
      AttendeeTokens tokens, AuthHandlers auth) {
    this.catalog = catalog;
    this.commands = commands;
    this.registrations = registrations;
    this.tokens = tokens;
    this.auth = auth;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/registrations";
    api.post(base).handler(this::register);
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

  private void register(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    JsonObject body = RequestBodies.jsonObject(ctx);
    String idempotencyKey = ctx.request().getHeader("Idempotency-Key");
    RegistrationRequest.checkIdempotencyKey(idempotencyKey);
    Future<JsonObject> replayed = idempotencyKey == null ? Future.succeededFuture()
        : registrations.idempotentAnswer(eventId, idempotencyKey, RegistrationRequest.fingerprint(body));
    Replies.reply(ctx, replayed
        .compose(answer -> answer != null ? Future.succeededFuture(answer) : catalog.get(eventId)
            .compose(event -> commands.register(checkedRequest(event, body, idempotencyKey)))),
        this::answerRegistration);
  }

  /** Refuses early what the database would refuse anyway (window, form), so bad input never queues. */
  private static RegistrationRequest checkedRequest(Event event, JsonObject body, String idempotencyKey) {
    Instant now = Instant.now();
    var definition = event.definition();
    if (definition.registrationOpensAt() != null && now.isBefore(definition.registrationOpensAt())) {
      throw notOpen(definition.registrationOpensAt());
    }
    if (definition.registrationClosesAt() != null && !now.isBefore(definition.registrationClosesAt())) {
      throw closed();
    }
    return RegistrationRequest.fromJson(event, body, idempotencyKey);
  }

  private void answerRegistration(RoutingContext ctx, JsonObject result) {
    String outcome = result.getString("outcome");
    JsonObject registration = result.getJsonObject("registration");
    switch (outcome) {
      case "created", "reactivated", "replayed" -> {
        JsonObject body = registration.copy().put("token", token(registration));
        ctx.response().setStatusCode(result.getInteger("statusCode"))
            .putHeader("Location", ctx.request().path() + "/me")
            .putHeader("Content-Type", "application/json")
            .end(body.encode());
      }
      // whoever knows an email must not learn more about, or gain control of, that person's registration
      case "existing" -> ctx.json(new JsonObject().put("id", registration.getString("id"))
          .put("eventId", registration.getLong("eventId"))
          .put("status", registration.getString("status"))
          .put("waitlistPosition", registration.getInteger("waitlistPosition"))
          .put("alreadyRegistered", true));
      case "event-not-found" -> ctx.fail(new ProblemException(ProblemType.NOT_FOUND, "no such event"));
      case "not-open" -> ctx.fail(notOpen(null));
      case "closed" -> ctx.fail(closed());
      case "idempotency-key-reused" -> ctx.fail(new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was already used with a different request body"));
      default -> ctx.fail(new IllegalStateException("unexpected registration outcome " + outcome));
    }
  }

  /** Dated by the consent of this registration (its creation, or its reactivation), so a replay gets the same. */
  private String token(JsonObject registration) {
    return tokens.issue(UUID.fromString(registration.getString("id")), registration.getLong("eventId"),
        Times.parse(registration.getString("consentAt")));
  }

  private void mine(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    Replies.json(ctx, registrations.get(eventId, attendee.registrationId()));
  }

  private void updateMine(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    JsonObject patch = RequestBodies.jsonObject(ctx);
    Replies.json(ctx, catalog.get(eventId)
        .compose(event -> registrations.updateDetails(eventId, attendee.registrationId(),
            current -> applyPatch(event, current, patch))));
  }

  /** The stored details with the patch applied, checked against the form as a whole. */
  private static JsonObject applyPatch(Event event, JsonObject current, JsonObject patch) {
    Validation v = new Validation();
    v.onlyKnown(patch, UPDATABLE);
    String name = patch.containsKey("name") ? v.text(patch, "name", true, 200) : current.getString("name");
    String language = patch.containsKey("language") ? v.language(patch, "language", true)
        : current.getString("language");
    JsonObject answers = new JsonObject();
    JsonObject stored = current.getJsonObject("answers", new JsonObject());
    // answers to questions the organizer has since removed are dropped, not held against the attendee
    event.definition().fields().forEach(f -> {
      if (stored.containsKey(f.id())) {
        answers.put(f.id(), stored.getValue(f.id()));
      }
    });
    Object given = patch.getValue("answers");
    if (given instanceof JsonObject changes) {
      changes.forEach(change -> answers.put(change.getKey(), change.getValue()));
    } else if (given != null) {
      v.fail("answers", "must be an object of field id to answer");
    }
    JsonObject checked = RegistrationRequest.checkAnswers(event.definition().fields(), answers, v);
    v.throwIfInvalid();
    return new JsonObject().put("name", name).put("language", language).put("answers", checked);
  }

  private void cancelMine(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    cancel(ctx, commands.cancel(eventId, attendee.registrationId(), null, null));
  }

  private void cancelByOrganizer(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    UUID registrationId = registrationParam(ctx);
    cancel(ctx, commands.cancel(eventId, registrationId, organizer.keyName(), remote(ctx)));
  }

  private static void cancel(RoutingContext ctx, Future<JsonObject> cancelled) {
    Replies.reply(ctx, cancelled, (c, result) -> {
      if ("registration-not-found".equals(result.getString("outcome"))) {
        c.fail(new ProblemException(ProblemType.NOT_FOUND, "no such registration in this event"));
        return;
      }
      c.json(result.getJsonObject("registration"));
    });
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    AuthHandlers.organizerFor(ctx, eventId);
    String status = ctx.request().getParam("status");
    if (status != null && !STATUSES.contains(status)) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "status must be one of " + STATUSES);
    }
    int limit = intParam(ctx, "limit", 100, 1, 1000);
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    Organizer organizer = AuthHandlers.organizer(ctx);
    Replies.json(ctx, catalog.get(eventId)
        .compose(event -> registrations.list(eventId, status, limit, offset, actor(ctx, organizer))));
  }

  private void one(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Replies.json(ctx, registrations.view(eventId, registrationParam(ctx), actor(ctx, organizer)));
  }

  private void export(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Replies.reply(ctx, registrations.export(eventId, registrationParam(ctx), actor(ctx, organizer)),
        (c, export) -> c.response().putHeader("Content-Type", "application/json")
            .putHeader("Content-Disposition", "attachment; filename=\"registration-"
                + export.getJsonObject("registration").getString("id") + ".json\"")
            .end(export.encodePrettily()));
  }

  private void erase(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Replies.json(ctx, registrations.erase(eventId, registrationParam(ctx), actor(ctx, organizer)));
  }

  private void csv(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Organizer organizer = AuthHandlers.organizerFor(ctx, eventId);
    Replies.reply(ctx, catalog.get(eventId)
        .compose(event -> registrations.csvRows(eventId, actor(ctx, organizer))
            // rendering thousands of rows is work the event loop must not wait on
            .compose(rows -> ctx.vertx().executeBlocking(() -> RegistrationCsv.render(event, rows), false))),
        (c, csv) -> c.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"event-" + eventId + "-registrations.csv\"")
            .end(csv));
  }

  private static Actor actor(RoutingContext ctx, Organizer organizer) {
    return new Actor(organizer.keyName(), remote(ctx));
  }

  private static String remote(RoutingContext ctx) {
    return ctx.request().remoteAddress().hostAddress();
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

  private static ProblemException notOpen(Instant opensAt) {
    return new ProblemException(ProblemType.REGISTRATION_NOT_OPEN, opensAt == null ? "registration has not opened yet"
        : "registration opens at " + Times.format(opensAt));
  }

  private static ProblemException closed() {
    return new ProblemException(ProblemType.REGISTRATION_CLOSED, "registration for this event is closed");
  }
}
