package io.foyer.lobby;

import io.vertx.core.json.JsonObject;

/**
 * What an organizer did to a line, kept in LiveState for the driving node: paused (nobody served), and an open
 * or close forced until the settings change (forced null: the mode decides).
 */
record LineControl(boolean paused, Boolean forced) {

  static LineControl fromJson(String json) {
    if (json == null) {
      return new LineControl(false, null);
    }
    JsonObject read = new JsonObject(json);
    return new LineControl(read.getBoolean("paused", false), read.getBoolean("forced"));
  }

  LineControl withPaused(boolean paused) {
    return new LineControl(paused, forced);
  }

  LineControl withForced(Boolean forced) {
    return new LineControl(paused, forced);
  }

  JsonObject toJson() {
    return new JsonObject().put("paused", paused).put("forced", forced);
  }
}
