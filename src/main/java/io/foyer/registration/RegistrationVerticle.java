package io.foyer.registration;

import io.foyer.auth.AttendeeTokens;
import io.foyer.bus.Bus;
import io.foyer.events.Event;
import io.foyer.events.EventCatalog;
import io.foyer.http.Times;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages.Answer;
import io.foyer.registration.RegistrationMessages.Cancel;
import io.foyer.registration.RegistrationMessages.Csv;
import io.foyer.registration.RegistrationMessages.ListPage;
import io.foyer.registration.RegistrationMessages.Mine;
import io.foyer.registration.RegistrationMessages.OfOne;
import io.foyer.registration.RegistrationMessages.Register;
import io.foyer.registration.RegistrationMessages.SignIn;
import io.foyer.registration.RegistrationMessages.Status;
import io.foyer.registration.RegistrationMessages.StatusQuery;
import io.foyer.registration.RegistrationMessages.UpdateMine;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The registration capability: registrations and cancellations through the node's group-committing
 * {@link RegistrationWriter} (an answer only after the commit), attendee self-service, and the organizer's
 * data-protection operations. Deployed on every event loop: checking a request and signing its token are the
 * work of each registration, spread over the cores, while all of them share the one writer and its batches.
 */
public final class RegistrationVerticle extends VerticleBase {

  private static final List<String> UPDATABLE = List.of("name", "language", "answers");

  private final EventCatalog catalog;
  private final AttendeeTokens tokens;
  private final RegistrationWriter commands;
  private final RegistrationRepository registrations;

  public RegistrationVerticle(RegionalStores stores, EventCatalog catalog, AttendeeTokens tokens,
      RegistrationWriter commands) {
    this.catalog = catalog;
    this.tokens = tokens;
    this.commands = commands;
    this.registrations = new RegistrationRepository(stores);
  }

  @Override
  public Future<?> start() {
    return Future.all(List.of(
        Bus.serve(vertx, RegistrationMessages.REGISTER, this::register),
        Bus.serve(vertx, RegistrationMessages.CANCEL, this::cancel),
        Bus.serve(vertx, RegistrationMessages.GET_MINE,
            (Mine mine) -> registrations.get(mine.eventId(), mine.registrationId())),
        Bus.serve(vertx, RegistrationMessages.UPDATE_MINE, this::updateMine),
        Bus.serve(vertx, RegistrationMessages.LIST, this::list),
        Bus.serve(vertx, RegistrationMessages.VIEW,
            (OfOne one) -> registrations.view(one.eventId(), one.registrationId(), one.actor())),
        Bus.serve(vertx, RegistrationMessages.EXPORT,
            (OfOne one) -> registrations.export(one.eventId(), one.registrationId(), one.actor())),
        Bus.serve(vertx, RegistrationMessages.ERASE,
            (OfOne one) -> registrations.erase(one.eventId(), one.registrationId(), one.actor())),
        Bus.serve(vertx, RegistrationMessages.CSV, this::csv),
        Bus.serve(vertx, RegistrationMessages.STATUS, this::status)));
  }

  /**
   * An idempotent replay is answered before any other check, so a retry gets its answer even after closing;
   * only an 'sso' event's sign-in comes first, since it is part of what the request is.
   */
  private Future<Answer> register(Register request) {
    RegistrationRequest.checkIdempotencyKey(request.idempotencyKey());
    return catalog.get(request.eventId())
        .compose(event -> replayOrWrite(event, request))
        .map(this::answer);
  }

  private Future<JsonObject> replayOrWrite(Event event, Register request) {
    SignIn signIn = RegistrationRequest.requiredSignIn(event, request.signIn());
    Future<JsonObject> replayed = request.idempotencyKey() == null ? Future.succeededFuture()
        : registrations.idempotentAnswer(request.eventId(), request.idempotencyKey(),
            RegistrationRequest.fingerprint(request.body(), signIn));
    return replayed.compose(answer -> answer != null ? Future.succeededFuture(answer)
        : commands.register(checkedRequest(event, request.body(), request.idempotencyKey(), signIn)));
  }

  /** Refuses early what the database would refuse anyway (window, form), so bad input never queues. */
  private static RegistrationRequest checkedRequest(Event event, JsonObject body, String idempotencyKey,
      SignIn signIn) {
    Instant now = Instant.now();
    var definition = event.definition();
    if (definition.registrationOpensAt() != null && now.isBefore(definition.registrationOpensAt())) {
      throw notOpen(definition.registrationOpensAt());
    }
    if (definition.registrationClosesAt() != null && !now.isBefore(definition.registrationClosesAt())) {
      throw closed();
    }
    return RegistrationRequest.fromJson(event, body, idempotencyKey, signIn);
  }

  private Answer answer(JsonObject result) {
    String outcome = result.getString("outcome");
    JsonObject registration = result.getJsonObject("registration");
    if ("existing".equals(outcome) && result.getBoolean("sameSignIn", false)) {
      // the person signed in as its registrant gets it back whole, token included (a new device, a lost link)
      return new Answer(200, registration.copy().put("alreadyRegistered", true).put("token", token(registration)),
          true);
    }
    return switch (outcome) {
      case "created", "reactivated", "replayed" ->
          new Answer(result.getInteger("statusCode"), registration.copy().put("token", token(registration)), true);
      // whoever knows an email must not learn more about, or gain control of, that person's registration
      case "existing" -> new Answer(200, new JsonObject().put("id", registration.getString("id"))
          .put("eventId", registration.getLong("eventId"))
          .put("status", registration.getString("status"))
          .put("waitlistPosition", registration.getInteger("waitlistPosition"))
          .put("alreadyRegistered", true), false);
      case "event-not-found" -> throw new ProblemException(ProblemType.NOT_FOUND, "no such event");
      case "not-open" -> throw notOpen(null);
      case "closed" -> throw closed();
      case "invite-code-required" -> throw new ProblemException(ProblemType.INVITE_CODE_REQUIRED,
          "this event takes registrations by invitation only: send the invite code as inviteCode");
      case "invite-code-unknown" -> throw InviteCodes.unknown();
      case "invite-code-revoked" -> throw new ProblemException(ProblemType.INVITE_CODE_REVOKED,
          "this invite code was withdrawn by the organizer; ask them for another");
      case "invite-code-used-up" -> throw new ProblemException(ProblemType.INVITE_CODE_USED_UP,
          "this invite code has been used as many times as it allows; ask the organizer for another");
      case "sign-in-required" -> throw new ProblemException(ProblemType.SIGN_IN_REQUIRED,
          "this event takes registrations from people signed in only: sign in, then register again");
      case "email-taken" -> throw new ProblemException(ProblemType.CONFLICT,
          "your sign-in's email address is already registered for this event by another registration");
      case "idempotency-key-reused" -> throw new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was already used with a different request body");
      default -> throw new IllegalStateException("unexpected registration outcome " + outcome);
    };
  }

  /** Dated by the consent of this registration (its creation, or its reactivation), so a replay gets the same. */
  private String token(JsonObject registration) {
    return tokens.issue(UUID.fromString(registration.getString("id")), registration.getLong("eventId"),
        Times.parse(registration.getString("consentAt")));
  }

  private Future<JsonObject> cancel(Cancel cancel) {
    return commands.cancel(cancel.eventId(), cancel.registrationId(), cancel.actor()).map(result -> {
      if ("registration-not-found".equals(result.getString("outcome"))) {
        throw new ProblemException(ProblemType.NOT_FOUND, "no such registration in this event");
      }
      return result.getJsonObject("registration");
    });
  }

  private Future<JsonObject> updateMine(UpdateMine update) {
    return catalog.get(update.eventId())
        .compose(event -> registrations.updateDetails(update.eventId(), update.registrationId(),
            current -> applyPatch(event, current, update.patch())));
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

  private Future<JsonObject> list(ListPage page) {
    return catalog.get(page.eventId()).compose(event -> registrations.list(page.eventId(), page.status(),
        page.limit(), page.offset(), page.actor()));
  }

  private Future<String> csv(Csv request) {
    return catalog.get(request.eventId())
        .compose(event -> registrations.csvRows(request.eventId(), request.actor())
            // rendering thousands of rows is work the event loop must not wait on
            .compose(rows -> vertx.executeBlocking(() -> RegistrationCsv.render(event, rows), false)));
  }

  private Future<Status> status(StatusQuery query) {
    return registrations.status(query.registrationId()).map(row -> row == null ? Status.ABSENT
        : new Status(true, row.getLong("event_id"), row.getBoolean("active"), row.getString("language")));
  }

  private static ProblemException notOpen(Instant opensAt) {
    return new ProblemException(ProblemType.REGISTRATION_NOT_OPEN, opensAt == null ? "registration has not opened yet"
        : "registration opens at " + Times.format(opensAt));
  }

  private static ProblemException closed() {
    return new ProblemException(ProblemType.REGISTRATION_CLOSED, "registration for this event is closed");
  }
}
