-- What organizers pushed to attendees, kept beyond the short topic history so a reconnecting client that is
-- too far behind gets them back in its snapshot.
CREATE TABLE announcements (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  session_id      BIGINT REFERENCES sessions (id) ON DELETE CASCADE,
  registration_id UUID REFERENCES registrations (id) ON DELETE CASCADE,
  topic           TEXT        NOT NULL,
  -- set once published; NULL for the moment between storing and publishing
  sequence        BIGINT,
  title           TEXT,
  body            TEXT        NOT NULL,
  created_by      TEXT        NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX announcements_by_topic ON announcements (topic, id DESC);

-- One row per stay of an attendee in a session: joined when their socket subscribed to the session, left
-- when it unsubscribed or disconnected (NULL while still there).
CREATE TABLE attendance (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id      BIGINT      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  registration_id UUID        NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  connection_id   TEXT        NOT NULL,
  joined_at       TIMESTAMPTZ NOT NULL,
  left_at         TIMESTAMPTZ,
  UNIQUE (connection_id, session_id, joined_at)
);
CREATE INDEX attendance_by_session ON attendance (session_id, joined_at);
