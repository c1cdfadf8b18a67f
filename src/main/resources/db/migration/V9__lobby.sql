-- Lobby settings per event (issue 10). The lobby's line itself lives in LiveState (counters, no row per waiting
-- attendee); only what an organizer chose is kept here. An event without a row has the defaults of
-- docs/api.md#lobby.
CREATE TABLE lobby_settings (
  event_id   BIGINT      PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  settings   JSONB       NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
