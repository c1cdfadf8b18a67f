package io.foyer.gateway;

import java.util.Locale;
import java.util.UUID;

/**
 * A push topic: what a client subscribes to and what capabilities publish to. Its name ("event:42") is what
 * clients see; its event-bus address ("foyer.push.event:42") is how nodes carry it to each other.
 */
public record Topic(Kind kind, String id) {

  /** The kinds of topic. */
  public enum Kind {
    EVENT, SESSION, ATTENDEE, LOBBY, RESULTS;

    String prefix() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String ADDRESS_PREFIX = "foyer.push.";

  public static Topic event(long eventId) {
    return new Topic(Kind.EVENT, Long.toString(eventId));
  }

  public static Topic session(long sessionId) {
    return new Topic(Kind.SESSION, Long.toString(sessionId));
  }

  public static Topic attendee(UUID registrationId) {
    return new Topic(Kind.ATTENDEE, registrationId.toString());
  }

  /** The live results of an event's polls, whether or not the audience sees them: for those who run them. */
  public static Topic results(long eventId) {
    return new Topic(Kind.RESULTS, Long.toString(eventId));
  }

  public static Topic lobby(long eventId) {
    return new Topic(Kind.LOBBY, Long.toString(eventId));
  }

  /** Parses "kind:id"; null when the name is not a topic. */
  public static Topic parse(String name) {
    if (name == null) {
      return null;
    }
    int colon = name.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String prefix = name.substring(0, colon);
    String id = name.substring(colon + 1);
    for (Kind kind : Kind.values()) {
      if (kind.prefix().equals(prefix) && valid(kind, id)) {
        return new Topic(kind, id);
      }
    }
    return null;
  }

  public String name() {
    return kind.prefix() + ":" + id;
  }

  public String address() {
    return ADDRESS_PREFIX + name();
  }

  long numericId() {
    return Long.parseLong(id);
  }

  private static boolean valid(Kind kind, String id) {
    if (kind == Kind.ATTENDEE) {
      try {
        return UUID.fromString(id).toString().equals(id);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return id.matches("[1-9][0-9]{0,17}");
  }
}
