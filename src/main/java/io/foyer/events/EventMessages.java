package io.foyer.events;

import io.foyer.audit.Actor;
import io.vertx.core.json.JsonObject;

/** The events capability's addresses and the typed messages they carry (passed as they are inside a node). */
public final class EventMessages {

  private EventMessages() {}

  public static final String CREATE = "foyer.events.create";
  public static final String UPDATE = "foyer.events.update";
  public static final String GET = "foyer.events.get";
  public static final String LIST = "foyer.events.list";
  public static final String STATS = "foyer.events.stats";
  public static final String CREATE_SESSION = "foyer.events.create-session";
  public static final String UPDATE_SESSION = "foyer.events.update-session";
  public static final String GET_SESSION = "foyer.events.get-session";
  public static final String LIST_SESSIONS = "foyer.events.list-sessions";
  public static final String AUDIT_TRAIL = "foyer.events.audit-trail";

  /** A new event (audited). Answer: the {@link Event}. */
  /** homeRegion null: the creating node's region. */
  public record CreateEvent(EventDefinition definition, String homeRegion, Actor actor) {
    public CreateEvent(EventDefinition definition, Actor actor) {
      this(definition, null, actor);
    }
  }

  /** A partial change of an event (audited); every node's catalog forgets the event. Answer: the {@link Event}. */
  public record UpdateEvent(long eventId, JsonObject patch, Actor actor) {}

  /** One event: for GET its public view with registration state, for STATS its seat counts. Answer: JSON. */
  public record OfEvent(long eventId) {}

  /** The events an organizer key may see: all (eventScope null) or its one event. Answer: JSON list. */
  public record ListEvents(Long eventScope) {}

  /** A new session of an event (audited). Answer: the {@link Session}. */
  public record CreateSession(long eventId, SessionDefinition definition, Actor actor) {}

  /** A partial change of a session (audited). Answer: the {@link Session}. */
  public record UpdateSession(long eventId, long sessionId, JsonObject patch, Actor actor) {}

  /** One session of an event. Answer: the {@link Session}. */
  public record OfSession(long eventId, long sessionId) {}

  /** The audit trail, newest first, of one event or (eventId null) of everything. Answer: JSON array. */
  public record AuditTrail(Long eventId) {}
}
