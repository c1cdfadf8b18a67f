package io.foyer.gateway;

import io.foyer.audit.Actor;
import java.util.UUID;

/** The gateway's addresses and messages for other capabilities and its HTTP routes. */
public final class GatewayMessages {

  private GatewayMessages() {}

  /** Request: store and push an organizer's announcement or direct message. Answer: {id, topic, seq}. */
  public static final String ANNOUNCE = "foyer.gateway.announce";

  /** What an organizer asked to push, as checked; key and fingerprint are null without an Idempotency-Key. */
  public record Announcement(long eventId, Long sessionId, UUID registrationId, String title, String text,
      String key, String fingerprint) {}

  /** An announcement to one topic of its event, by an organizer (audited). */
  public record Announce(Topic topic, Announcement announcement, Actor actor) {}
}
