package io.foyer.gateway;

import io.foyer.bus.Bus;
import io.foyer.events.EventCatalog;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages;
import io.foyer.registration.RegistrationMessages.Status;
import io.foyer.registration.RegistrationMessages.StatusQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.UUID;

/**
 * Decides which topics a client may subscribe to: attendees their own event, its sessions and lobby, and
 * their own attendee topic; organizers whatever belongs to the events their key covers; presenters their
 * event's topic and its sessions' (a session-scoped presenter: that session only), never an attendee's; those
 * waiting in a lobby that lobby's topic only. Sessions and
 * registrations are asked of their own capabilities (the event catalog, the registration verticle).
 */
final class TopicAccess {

  private final Vertx vertx;
  private final EventCatalog catalog;

  TopicAccess(Vertx vertx, EventCatalog catalog) {
    this.vertx = vertx;
    this.catalog = catalog;
  }

  Future<Void> check(Client client, Topic topic) {
    if (client.waiting()) {
      return allowIf(topic.equals(Topic.lobby(client.eventId())), topic);
    }
    if (client.presenter()) {
      return presenterCheck(client, topic);
    }
    return switch (topic.kind()) {
      case EVENT, LOBBY -> allowIf(client.coversEvent(topic.numericId()), topic);
      case RESULTS -> allowIf(!client.attendee() && client.coversEvent(topic.numericId()), topic);
      case SESSION -> catalog.sessionEvent(topic.numericId())
          .compose(event -> allowIf(client.coversEvent(event), topic));
      case ATTENDEE -> client.attendee()
          ? allowIf(client.registrationId().toString().equals(topic.id()), topic)
          : registrationEvent(UUID.fromString(topic.id())).compose(event -> allowIf(client.coversEvent(event), topic));
    };
  }

  private Future<Void> presenterCheck(Client presenter, Topic topic) {
    return switch (topic.kind()) {
      // live results are what a presenter runs polls for; they hold no personal data
      case EVENT, RESULTS -> allowIf(presenter.eventId() == topic.numericId(), topic);
      case SESSION -> catalog.sessionEvent(topic.numericId()).compose(event -> allowIf(
          presenter.eventId() == event.longValue()
              && (presenter.sessionId() == null || presenter.sessionId() == topic.numericId()), topic));
      case ATTENDEE, LOBBY -> allowIf(false, topic);
    };
  }

  /** The event a topic belongs to: its own, its session's, or its attendee's. */
  Future<Long> eventOf(Topic topic) {
    return switch (topic.kind()) {
      case EVENT, RESULTS, LOBBY -> Future.succeededFuture(topic.numericId());
      case SESSION -> catalog.sessionEvent(topic.numericId());
      case ATTENDEE -> registrationEvent(UUID.fromString(topic.id()));
    };
  }

  /** A registration's event and standing, from the registration capability. */
  Future<Status> registration(UUID registrationId) {
    return Bus.request(vertx, RegistrationMessages.STATUS, new StatusQuery(registrationId));
  }

  private Future<Long> registrationEvent(UUID registrationId) {
    return registration(registrationId).map(status -> {
      if (!status.found()) {
        throw new ProblemException(ProblemType.NOT_FOUND, "no registration " + registrationId);
      }
      return status.eventId();
    });
  }

  private static Future<Void> allowIf(boolean allowed, Topic topic) {
    return allowed ? Future.succeededFuture()
        : Future.failedFuture(new ProblemException(ProblemType.FORBIDDEN, "this token may not subscribe to "
            + topic.name()));
  }
}
