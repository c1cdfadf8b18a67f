-- Presenter tokens: issued by an organizer for one event (or one session of it). The signed token carries
-- the id; this row is what makes it still valid, so a revocation takes effect on every node at once.
CREATE TABLE presenter_tokens (
  id         UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id   BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  session_id BIGINT      REFERENCES sessions (id) ON DELETE CASCADE,
  name       TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ,
  CHECK (expires_at > created_at)
);
CREATE INDEX presenter_tokens_by_event ON presenter_tokens (event_id, created_at);
