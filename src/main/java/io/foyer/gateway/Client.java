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
 * scope, a presenter of one event (or of one session of it), or someone waiting in an event's lobby with a queue
 * ticket, who is nobody yet: its event's lobby topic is all it may see. Organizers and presenters have no
 * language: they run the event in all of them, and receive every translation.
 */
record Client(Role role, String name, Long eventId, Long sessionId, UUID registrationId, String language) {

  enum Role { ATTENDEE, ORGANIZER, PRESENTER, WAITING }

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

  /** A lobby ticket's holder: the ticket is its only name, and it changes at every renewal, so none is kept. */
  static Client waiting(long eventId) {
    return new Client(Role.WAITING, "lobby", eventId, null, null, null);
  }

  boolean attendee() {
    return role == Role.ATTENDEE;
  }

  boolean presenter() {
    return role == Role.PRESENTER;
  }

  boolean waiting() {
    return role == Role.WAITING;
  }

  /** Whether this client runs events (polls, quizzes): an organizer or a presenter. */
  boolean runsEvents() {
    return role == Role.ORGANIZER || role == Role.PRESENTER;
  }

  /**
   * Whether this client may see everything of the given event (a presenter never may: no personal data; nor may
   * one waiting in the lobby).
   */
  boolean coversEvent(long event) {
    return (role == Role.ATTENDEE || role == Role.ORGANIZER) && (eventId == null || eventId == event);
  }

  /** The topics a client is told of in its welcome, that it may subscribe to without asking. */
  List<Topic> ownTopics() {
    if (waiting()) {
      return List.of(Topic.lobby(eventId));
    }
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
