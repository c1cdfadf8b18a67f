package io.foyer.auth;

import java.util.UUID;

/** The bearer of a valid presenter token: runs interactions of one event, or of one session of it. */
public record Presenter(UUID tokenId, String name, long eventId, Long sessionId) {

  /** Whether this presenter may act on the event and, for a session-scoped token, on that session only. */
  public boolean mayRun(long event, Long session) {
    return eventId == event && (sessionId == null || sessionId.equals(session));
  }
}
