package io.foyer.lobby;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A line as its driving node last set it, kept in LiveState for every node: whether the lobby is open, paused,
 * and the scheduled opening's shuffle of the pre-queue (which turns an arrival number into a place).
 *
 * @param opensAt the scheduled opening the settings name, or null
 * @param preQueue the shuffle made at that opening, or null before it (or without one)
 */
record LineState(boolean open, boolean paused, Instant opensAt, PreQueue preQueue) {

  /** Arrival numbers first..last came before the opening at opensAtMillis, and were shuffled with key. */
  record PreQueue(long opensAtMillis, long first, long last, long key) {}

  /**
   * The state as read from LiveState (null: the driver has not written one yet), as the settings allow it: a
   * lobby turned off is closed whatever was written, one always open is open from the start.
   */
  static LineState fromJson(String json, LobbySettings settings) {
    Instant opensAt = settings.opensAt();
    boolean scheduled = opensAt != null && Instant.now().isBefore(opensAt);
    if (json == null) {
      return new LineState(settings.mode() == LobbySettings.Mode.ALWAYS
          || (scheduled && settings.mode() != LobbySettings.Mode.OFF), false, opensAt, null);
    }
    JsonObject read = new JsonObject(json);
    JsonObject pre = read.getJsonObject("preQueue");
    return new LineState(settings.mode() != LobbySettings.Mode.OFF && read.getBoolean("open", false),
        read.getBoolean("paused", false), opensAt, pre == null ? null : new PreQueue(pre.getLong("opensAt"),
            pre.getLong("first"), pre.getLong("last"), pre.getLong("key")));
  }

  LineState withOpen(boolean open, boolean paused, Instant opensAt) {
    return new LineState(open, paused, opensAt, preQueue);
  }

  /** Whether the pre-queue of this opening was shuffled already. */
  boolean shuffled(Instant opening) {
    return preQueue != null && preQueue.opensAtMillis() == opening.toEpochMilli();
  }

  LineState shuffledAt(Instant opening, long first, long last, long key) {
    return new LineState(open, paused, opensAt, new PreQueue(opening.toEpochMilli(), first, last, key));
  }

  /**
   * The place in line of an arrival number: the number itself, or its shuffled place when it came before the
   * scheduled opening; null while the opening is still to come (the shuffle decides).
   */
  Long placeOf(long number) {
    if (opensAt != null && !shuffled(opensAt)) {
      return Instant.now().isBefore(opensAt) || open ? null : number;
    }
    if (preQueue != null && number >= preQueue.first() && number <= preQueue.last()) {
      long size = preQueue.last() - preQueue.first() + 1;
      return preQueue.first() + new Shuffle(size, preQueue.key()).placeOf(number - preQueue.first());
    }
    return number;
  }

  JsonObject toJson() {
    return new JsonObject().put("open", open).put("paused", paused).put("preQueue", preQueue == null ? null
        : new JsonObject().put("opensAt", preQueue.opensAtMillis()).put("first", preQueue.first())
            .put("last", preQueue.last()).put("key", preQueue.key()));
  }
}
