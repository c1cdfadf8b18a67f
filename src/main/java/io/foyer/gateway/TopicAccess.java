package io.foyer.gateway;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which topics a client may subscribe to: attendees their own event, its sessions and lobby, and
 * their own attendee topic; organizers whatever belongs to the events their key covers.
 */
final class TopicAccess {

  private static final String SESSION_EVENT = "SELECT event_id FROM sessions WHERE id = $1";
  private static final String REGISTRATION_EVENT = "SELECT event_id FROM registrations WHERE id = $1";
  private static final String REGISTRATION_ACTIVE = """
      SELECT 1 FROM registrations WHERE id = $1 AND status <> 'cancelled' AND erased_at IS NULL""";

  private final Pool pool;
  /** A session never moves to another event, so its event is cached for good. */
  private final Map<Long, Long> sessionEvents = new ConcurrentHashMap<>();

  TopicAccess(Pool pool) {
    this.pool = pool;
  }

  Future<Void> check(Client client, Topic topic) {
    return switch (topic.kind()) {
      case EVENT, LOBBY -> allowIf(client.coversEvent(topic.numericId()), topic);
      case SESSION -> sessionEvent(topic.numericId()).compose(event -> allowIf(client.coversEvent(event), topic));
      case ATTENDEE -> client.attendee()
          ? allowIf(client.registrationId().toString().equals(topic.id()), topic)
          : registrationEvent(UUID.fromString(topic.id())).compose(event -> allowIf(client.coversEvent(event), topic));
    };
  }

  /** Whether an attendee token still stands for a registration (not cancelled, not erased). */
  Future<Boolean> registrationActive(UUID registrationId) {
    return pool.preparedQuery(REGISTRATION_ACTIVE).execute(Tuple.of(registrationId)).map(rows -> rows.size() > 0);
  }

  Future<Long> sessionEvent(long sessionId) {
    Long cached = sessionEvents.get(sessionId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return pool.preparedQuery(SESSION_EVENT).execute(Tuple.of(sessionId)).map(rows -> {
      if (rows.size() == 0) {
        throw new ProblemException(ProblemType.NOT_FOUND, "no session " + sessionId);
      }
      long event = rows.iterator().next().getLong(0);
      sessionEvents.put(sessionId, event);
      return event;
    });
  }

  private Future<Long> registrationEvent(UUID registrationId) {
    return pool.preparedQuery(REGISTRATION_EVENT).execute(Tuple.of(registrationId)).map(rows -> {
      if (rows.size() == 0) {
        throw new ProblemException(ProblemType.NOT_FOUND, "no registration " + registrationId);
      }
      return rows.iterator().next().getLong(0);
    });
  }

  private static Future<Void> allowIf(boolean allowed, Topic topic) {
    return allowed ? Future.succeededFuture()
        : Future.failedFuture(new ProblemException(ProblemType.FORBIDDEN, "this token may not subscribe to "
            + topic.name()));
  }
}
