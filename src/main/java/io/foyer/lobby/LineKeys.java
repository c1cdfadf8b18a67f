package io.foyer.lobby;

import java.time.Duration;

/**
 * Where a line lives in LiveState, shared by the desks that answer attendees and the verticle that drives the
 * lines (docs/operations.md#the-lobby lists every key and when it goes).
 */
final class LineKeys {

  private LineKeys() {}

  /** Places counted together when skipping expired tickets: the line's only per-place bookkeeping. */
  static final int BLOCK = 64;
  /** A lobby's state and control keys go this long after their last write. */
  static final Duration KEY_TTL = Duration.ofDays(2);
  /** The events whose lines the driver drives: a hash, one field per event. */
  static final String WATCHED = "lobby:events";

  static long block(long place) {
    return (place - 1) / BLOCK;
  }

  /** Tickets are renewed three times per lifetime: each renews at least once in a period of half a lifetime. */
  static long period(LobbySettings settings, long millis) {
    return millis / Math.max(1, settings.ticketTtl().toMillis() / 2);
  }

  static String issuedKey(long eventId) {
    return "lobby:" + eventId + ":issued";
  }

  static String servingKey(long eventId) {
    return "lobby:" + eventId + ":serving";
  }

  static String stateKey(long eventId) {
    return "lobby:" + eventId + ":state";
  }

  static String controlKey(long eventId) {
    return "lobby:" + eventId + ":control";
  }

  static String arrivalsKey(long eventId, long second) {
    return "lobby:" + eventId + ":arrivals:" + second;
  }

  static String aliveKey(long eventId, long period) {
    return "lobby:" + eventId + ":alive:" + period;
  }

  static String admittedKey(long eventId, String admission) {
    return "lobby:" + eventId + ":admitted:" + admission;
  }
}
