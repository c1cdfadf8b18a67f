package io.foyer.events;

import io.foyer.http.Times;
import io.foyer.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** What an organizer says an event is: everything of an event except its id and bookkeeping. */
public record EventDefinition(String title, String description, Instant startsAt, Instant endsAt, String timeZone,
    String defaultLanguage, Integer capacity, Instant registrationOpensAt, Instant registrationClosesAt,
    List<RegistrationField> fields, RegistrationMode registrationMode) {

  static final List<String> MEMBERS = List.of("title", "description", "startsAt", "endsAt", "timeZone",
      "defaultLanguage", "capacity", "registrationOpensAt", "registrationClosesAt", "fields", "registrationMode");

  /** Parses and checks a complete definition; every problem is reported at once. */
  public static EventDefinition fromJson(JsonObject body) {
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    EventDefinition definition = new EventDefinition(
        v.text(body, "title", true, 200),
        java.util.Objects.requireNonNullElse(v.text(body, "description", false, 10_000), ""),
        v.instant(body, "startsAt", true),
        v.instant(body, "endsAt", true),
        v.zone(body, "timeZone"),
        v.language(body, "defaultLanguage", true),
        v.positiveInt(body, "capacity"),
        v.instant(body, "registrationOpensAt", false),
        v.instant(body, "registrationClosesAt", false),
        RegistrationField.listFromJson(body.getValue("fields"), v),
        mode(body, v));
    v.after("endsAt", definition.endsAt(), "startsAt", definition.startsAt());
    v.after("registrationClosesAt", definition.registrationClosesAt(), "registrationOpensAt",
        definition.registrationOpensAt());
    v.throwIfInvalid();
    return definition;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("title", title)
        .put("description", description)
        .put("startsAt", Times.format(startsAt))
        .put("endsAt", Times.format(endsAt))
        .put("timeZone", timeZone)
        .put("defaultLanguage", defaultLanguage)
        .put("capacity", capacity)
        .put("registrationOpensAt", Times.format(registrationOpensAt))
        .put("registrationClosesAt", Times.format(registrationClosesAt))
        .put("fields", new JsonArray(fields.stream().map(RegistrationField::toJson).toList()))
        .put("registrationMode", registrationMode.value());
  }

  /** Absent (or null) is open, as every event was before modes existed. */
  private static RegistrationMode mode(JsonObject body, Validation v) {
    String value = v.text(body, "registrationMode", false, 20);
    if (value == null) {
      return RegistrationMode.OPEN;
    }
    RegistrationMode mode = RegistrationMode.of(value);
    if (mode == null) {
      v.fail("registrationMode", "must be one of " + RegistrationMode.known());
    }
    return mode;
  }

  /** Whether registration is open at the given instant by the event's own window. */
  public boolean registrationOpenAt(Instant now) {
    return (registrationOpensAt == null || !now.isBefore(registrationOpensAt))
        && (registrationClosesAt == null || now.isBefore(registrationClosesAt));
  }
}
