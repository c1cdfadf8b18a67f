package io.foyer.lobby;

import io.foyer.audit.Actor;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The lobby capability's event-bus addresses (local to a node, like every capability's) and the requests of its
 * desks: the gateway asks a ticket's status and whether a socket may join the live page on the bus; the HTTP routes
 * and registration ask their own loop's {@link LobbyDesk} with the same records; organizers' requests go on the bus.
 */
public final class LobbyMessages {

  private LobbyMessages() {}

  public static final String STATUS = "foyer.lobby.status";
  public static final String CHECK_LIVE = "foyer.lobby.check-live";
  public static final String SETTINGS = "foyer.lobby.settings";
  public static final String CHANGE_SETTINGS = "foyer.lobby.change-settings";
  public static final String STATE = "foyer.lobby.state";
  public static final String CONTROL = "foyer.lobby.control";
  public static final String LINES = "foyer.lobby.lines";

  /** An arrival: email (optional, for its own rate limit) and the client's address (for the address's limit). */
  public record Join(long eventId, String email, String address) {}

  /** A waiting client's status (ticket null: the lobby's public status); a ticket's status renews it. */
  public record Status(long eventId, String ticket) {}

  /** A ticket exchanged for an admission token. */
  public record Admit(long eventId, String ticket) {}

  /**
   * Whether a registration may go ahead: always while the lobby is closed; while open, only with an admission
   * token of the event, not used for another email. Answers null, or fails with the problem.
   */
  public record CheckRegistration(long eventId, String admission, String email) {}

  /**
   * Whether an attendee's new connection to the event's live page may go ahead: always, unless the lobby is open
   * and the page guarded and full; then only with an admission token of the event, which lets in one attendee
   * (again and again, as it reconnects, until it expires). Answers null, or fails with the problem.
   */
  public record CheckLive(long eventId, UUID registrationId, String admission) {}

  /** An event's lobby settings (and state, control) for an organizer. */
  public record OfEvent(long eventId) {}

  public record ChangeSettings(long eventId, JsonObject body, Actor actor) {}

  /** What an organizer does to a running lobby. */
  public enum Action { PAUSE, RESUME, OPEN, CLOSE }

  public record Control(long eventId, Action action, Actor actor) {}

  /** Every line being driven (onlyEvent: just that event's, for a key scoped to it). */
  public record Lines(Long onlyEvent) {}
}
