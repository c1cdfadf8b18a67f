package io.foyer.lobby;

/** The lobby's SQL: its settings only (V9__lobby.sql); the line itself lives in LiveState. */
final class LobbySql {

  private LobbySql() {}

  static final String SETTINGS = "SELECT settings FROM lobby_settings WHERE event_id = $1";

  static final String SAVE_SETTINGS = """
      INSERT INTO lobby_settings (event_id, settings) VALUES ($1, $2)
      ON CONFLICT (event_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()""";
}
