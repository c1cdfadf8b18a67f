package io.foyer.gateway;

import io.foyer.auth.Attendee;
import io.foyer.auth.Organizer;
import io.foyer.auth.Presenter;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Who holds a socket: an attendee of one event (in its registration's language), an organizer with a key's
 * scope, or a presenter of one event (or of one session of it). Organizers and presenters have no language: they
 * run the event in all of them, and receive every translation.
 */
record Client(Role role, String name, Long eventId, Long sessionId, UUID registrationId, String language) {

  enum Role { ATTENDEE, ORGANIZER, PRESENTER }

  static Client of(Attendee attendee, String language) {
    return new Client(Role.ATTENDEE, attendee.registrationId().toString(), attendee.eventId(), null,
        attendee.registrationId(), language);
  }

  static Client of(Organizer organizer) {
    return new Client(Role.ORGANIZER, organizer.keyName(), organizer.eventScope(), null, null, null);
  }

  static Client of(Presenter presenter) {
    return new Client(Role.PRESENTER, presenter.name(), presenter.eventId(), presenter.sessionId(), null, null);
  }

  boolean attendee() {
    return role == Role.ATTENDEE;
  }

  boolean presenter() {
    return role == Role.PRESENTER;
  }

  /** Whether this client may see everything of the given event (a presenter never may: no personal data). */
  boolean coversEvent(long event) {
    return role != Role.PRESENTER && (eventId == null || eventId == event);
  }

  /** The topics a client is told of in its welcome, that it may subscribe to without asking. */
  List<Topic> ownTopics() {
    List<Topic> topics = new ArrayList<>();
    if (eventId != null) {
      topics.add(Topic.event(eventId));
    }
    if (sessionId != null) {
      topics.add(Topic.session(sessionId));
    }
    if (eventId != null && !presenter()) {
      topics.add(Topic.lobby(eventId));
    }
    if (registrationId != null) {
      topics.add(Topic.attendee(registrationId));
    }
    return topics;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("role", role.name().toLowerCase(java.util.Locale.ROOT))
        .put("eventId", eventId)
        .put("registrationId", registrationId == null ? null : registrationId.toString());
    if (attendee()) {
      json.put("language", language);
    }
    if (presenter()) {
      json.put("sessionId", sessionId);
    }
    return json;
  }
}
