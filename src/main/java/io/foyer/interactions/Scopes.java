package io.foyer.interactions;

import io.foyer.events.EventCatalog;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Checks polls and quizzes share: where an interaction runs, who may run it, and the ids clients make. */
final class Scopes {

  private Scopes() {}

  /** A presenter scoped to a session (onlySession) runs that session's polls and quizzes only. */
  static void requireScope(Long onlySession, Long sessionId) {
    if (onlySession != null && !onlySession.equals(sessionId)) {
      throw new ProblemException(ProblemType.FORBIDDEN, "this presenter token is limited to session " + onlySession);
    }
  }

  /** The event exists, and so does the session in it, when the interaction is for a session. */
  static Future<Void> checkWhere(EventCatalog catalog, long eventId, Long sessionId) {
    return catalog.get(eventId).compose(event -> sessionId == null ? Future.succeededFuture()
        : catalog.requireSession(eventId, sessionId));
  }

  /** The UUID a client made for a ballot or an answer (sent again on a retry); 422 naming the field otherwise. */
  static UUID clientId(Object value, String field, String what) {
    if (value instanceof String text) {
      try {
        return UUID.fromString(text);
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw new ProblemException(ProblemType.VALIDATION, field + ": must be a UUID the client made for this " + what,
        new JsonObject().put("errors", new JsonArray().add(new JsonObject().put("field", field)
            .put("message", "must be a UUID"))));
  }
}
