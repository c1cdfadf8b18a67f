package io.foyer.presence;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The presence capability's addresses and messages (attendance stays and reports). */
public final class PresenceMessages {

  private PresenceMessages() {}

  /** One-way: an attendee's socket joined a session. */
  public static final String JOINED = "foyer.presence.joined";
  /** One-way: that socket left the session (unsubscribed or went away). */
  public static final String LEFT = "foyer.presence.left";
  /** Request: close a dead node's open stays. Answer: how many were closed. */
  public static final String CLOSE_NODE_STAYS = "foyer.presence.close-node-stays";
  /** Request: a session's attendance report. Answer: JSON object, or CSV text. */
  public static final String REPORT = "foyer.presence.report";

  public record Joined(long sessionId, UUID registrationId, String connectionId, OffsetDateTime at) {}

  public record Left(long sessionId, String connectionId, OffsetDateTime at) {}

  public record CloseNodeStays(String nodeId, OffsetDateTime at) {}

  public record ReportRequest(long eventId, long sessionId, boolean csv) {}
}
