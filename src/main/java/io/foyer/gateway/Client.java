package io.foyer.gateway;

import io.foyer.auth.Attendee;
import io.foyer.auth.Organizer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Who holds a socket: an attendee of one event, or an organizer (presenter) with a key's scope. */
record Client(Role role, String name, Long eventId, UUID registrationId) {

  enum Role { ATTENDEE, ORGANIZER }

  static Client of(Attendee attendee) {
    return new Client(Role.ATTENDEE, attendee.registrationId().toString(), attendee.eventId(),
        attendee.registrationId());
  }

  static Client of(Organizer organizer) {
    return new Client(Role.ORGANIZER, organizer.keyName(), organizer.eventScope(), null);
  }

  boolean attendee() {
    return role == Role.ATTENDEE;
  }

  /** Whether this client may see everything of the given event. */
  boolean coversEvent(long event) {
    return eventId == null || eventId == event;
  }

  JsonObject toJson() {
    return new JsonObject().put("role", role.name().toLowerCase(java.util.Locale.ROOT)).put("eventId", eventId)
        .put("registrationId", registrationId == null ? null : registrationId.toString());
  }
}
