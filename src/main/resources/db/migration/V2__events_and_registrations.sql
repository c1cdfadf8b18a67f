-- Events, their sessions, registrations with an exact capacity and a waiting list, idempotency keys and the
-- organizer audit trail.

CREATE TABLE events (
  id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title                  TEXT        NOT NULL,
  description            TEXT        NOT NULL DEFAULT '',
  starts_at              TIMESTAMPTZ NOT NULL,
  ends_at                TIMESTAMPTZ NOT NULL,
  time_zone              TEXT        NOT NULL,
  default_language       TEXT        NOT NULL,
  capacity               INT CHECK (capacity IS NULL OR capacity > 0),
  registration_opens_at  TIMESTAMPTZ,
  registration_closes_at TIMESTAMPTZ,
  fields                 JSONB       NOT NULL DEFAULT '[]',
  created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (registration_opens_at IS NULL OR registration_closes_at IS NULL
         OR registration_closes_at > registration_opens_at)
);

-- The seat counters of an event, narrow so that the row every registration locks stays small. Its row lock
-- serialises seat decisions for one event across every node; the CHECK is the last line against overbooking.
CREATE TABLE event_seats (
  event_id          BIGINT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  capacity          INT,
  confirmed         INT    NOT NULL DEFAULT 0 CHECK (confirmed >= 0),
  waitlisted        INT    NOT NULL DEFAULT 0 CHECK (waitlisted >= 0),
  next_waitlist_seq BIGINT NOT NULL DEFAULT 1,
  CHECK (capacity IS NULL OR confirmed <= capacity)
);

CREATE TABLE sessions (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id    BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  title       TEXT        NOT NULL,
  description TEXT        NOT NULL DEFAULT '',
  track       TEXT,
  room        TEXT,
  stream_url  TEXT,
  starts_at   TIMESTAMPTZ NOT NULL,
  ends_at     TIMESTAMPTZ NOT NULL,
  language    TEXT,
  capacity    INT CHECK (capacity IS NULL OR capacity > 0),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX sessions_by_event ON sessions (event_id, starts_at);

-- Personal data (email, name, answers) is nulled on erasure; the row, its status and so every count stay.
CREATE TABLE registrations (
  id           UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id     BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  email        TEXT,
  email_key    TEXT,
  name         TEXT,
  language     TEXT        NOT NULL,
  answers      JSONB,
  consent_at   TIMESTAMPTZ,
  status       TEXT        NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
  waitlist_seq BIGINT,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  cancelled_at TIMESTAMPTZ,
  erased_at    TIMESTAMPTZ,
  CHECK ((status = 'waitlisted') = (waitlist_seq IS NOT NULL))
);
-- one registration per person and event: the database, not a check-then-insert, enforces it
CREATE UNIQUE INDEX registrations_one_per_email ON registrations (event_id, email_key);
CREATE INDEX registrations_waiting_list ON registrations (event_id, waitlist_seq) WHERE status = 'waitlisted';
CREATE INDEX registrations_by_event ON registrations (event_id, created_at);

CREATE TABLE idempotency_keys (
  event_id        BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  key             TEXT        NOT NULL,
  fingerprint     TEXT        NOT NULL,
  registration_id UUID        NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  status_code     INT         NOT NULL,
  -- the registration as the first response showed it; a replay answers with exactly this
  response        JSONB       NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, key)
);

CREATE TABLE audit_log (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor          TEXT        NOT NULL,
  action         TEXT        NOT NULL,
  event_id       BIGINT,
  target         TEXT,
  details        JSONB       NOT NULL DEFAULT '{}',
  remote_address TEXT
);
CREATE INDEX audit_by_event ON audit_log (event_id, at);
CREATE INDEX audit_by_target ON audit_log (target);

-- Timestamps as the API shows them everywhere: UTC, milliseconds, Z (the same as the Java side's Times).
CREATE FUNCTION foyer_ts(t TIMESTAMPTZ) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A registration as the API shows it, with its place on the waiting list.
CREATE FUNCTION foyer_registration_json(reg registrations) RETURNS JSONB LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', reg.id, 'eventId', reg.event_id, 'email', reg.email, 'name', reg.name, 'language', reg.language,
    'answers', reg.answers, 'status', reg.status, 'consentAt', foyer_ts(reg.consent_at),
    'createdAt', foyer_ts(reg.created_at), 'updatedAt', foyer_ts(reg.updated_at),
    'cancelledAt', foyer_ts(reg.cancelled_at), 'erasedAt', foyer_ts(reg.erased_at),
    'waitlistPosition', CASE WHEN reg.status = 'waitlisted' THEN
      (SELECT count(*) + 1 FROM registrations w
        WHERE w.event_id = reg.event_id AND w.status = 'waitlisted' AND w.waitlist_seq < reg.waitlist_seq)
    END)
$$;

CREATE FUNCTION foyer_result(outcome TEXT, status_code INT, reg registrations) RETURNS JSONB
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('outcome', outcome, 'statusCode', status_code,
                            'registration', CASE WHEN reg.id IS NULL THEN NULL ELSE foyer_registration_json(reg) END)
$$;

-- Applies a batch of registration commands ('register', 'cancel') in order and returns one result per command
-- (with the command's 'index'): the batching writer's one statement per batch. Commands arrive grouped by
-- event. Each event's seat row is locked once, its counters are kept in variables while the event's
-- commands run, and written back once: updating the same row for every command would leave a chain of row
-- versions that every later command in the transaction has to walk.
CREATE FUNCTION foyer_registration_commands(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql AS $$
DECLARE
  op         JSONB;
  ev_id      BIGINT;
  current_ev BIGINT;
  seats      event_seats;
  ev         events;
  idem       idempotency_keys;
  existing   registrations;
  reg        registrations;
  promoted   registrations;
  new_status TEXT;
  seq        BIGINT;
  code       INT;
  outcome    TEXT;
  result     JSONB;
BEGIN
  FOR op IN SELECT value FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(value, n) ORDER BY n LOOP
    ev_id := (op->>'eventId')::BIGINT;
    IF current_ev IS DISTINCT FROM ev_id THEN
      IF seats.event_id IS NOT NULL THEN
        UPDATE event_seats SET confirmed = seats.confirmed, waitlisted = seats.waitlisted,
                               next_waitlist_seq = seats.next_waitlist_seq
         WHERE event_id = seats.event_id;
      END IF;
      current_ev := ev_id;
      -- the lock that makes seat decisions exact: one holder per event, on whatever node it runs
      SELECT * INTO seats FROM event_seats WHERE event_id = ev_id FOR UPDATE;
      SELECT * INTO ev FROM events WHERE id = ev_id;
    END IF;
    reg := NULL;
    promoted := NULL;

    IF seats.event_id IS NULL THEN
      result := foyer_result('event-not-found', 404, NULL);

    ELSIF op->>'command' = 'register' THEN
      idem := NULL;
      IF op->>'idempotencyKey' IS NOT NULL THEN
        SELECT * INTO idem FROM idempotency_keys WHERE event_id = ev_id AND key = op->>'idempotencyKey';
        IF idem.key IS NOT NULL
           AND (SELECT status FROM registrations WHERE id = idem.registration_id) = 'cancelled' THEN
          -- what the key answered no longer holds: the request counts as new
          DELETE FROM idempotency_keys WHERE event_id = ev_id AND key = idem.key;
          idem := NULL;
        END IF;
      END IF;
      IF idem.key IS NOT NULL THEN
        IF idem.fingerprint <> op->>'fingerprint' THEN
          result := foyer_result('idempotency-key-reused', 422, NULL);
        ELSE
          result := jsonb_build_object('outcome', 'replayed', 'statusCode', idem.status_code,
                                       'registration', idem.response);
        END IF;
      ELSE
        -- locked: an erasure committing meanwhile must not be undone by a reactivation below
        SELECT * INTO existing FROM registrations WHERE event_id = ev_id AND email_key = op->>'emailKey' FOR UPDATE;
        IF existing.id IS NOT NULL AND existing.status <> 'cancelled' THEN
          result := foyer_result('existing', 200, existing);
        ELSIF ev.registration_opens_at IS NOT NULL AND now() < ev.registration_opens_at THEN
          result := foyer_result('not-open', 409, NULL);
        ELSIF ev.registration_closes_at IS NOT NULL AND now() >= ev.registration_closes_at THEN
          result := foyer_result('closed', 409, NULL);
        ELSE
          seq := NULL;
          IF seats.capacity IS NULL OR seats.confirmed < seats.capacity THEN
            new_status := 'confirmed';
            seats.confirmed := seats.confirmed + 1;
          ELSE
            new_status := 'waitlisted';
            seq := seats.next_waitlist_seq;
            seats.next_waitlist_seq := seats.next_waitlist_seq + 1;
            seats.waitlisted := seats.waitlisted + 1;
          END IF;
          IF existing.id IS NOT NULL THEN
            -- a cancelled registration comes back to life: same id, a fresh place
            UPDATE registrations
               SET status = new_status, waitlist_seq = seq, name = op->>'name', email = op->>'email',
                   language = op->>'language', answers = op->'answers', consent_at = now(), cancelled_at = NULL,
                   updated_at = now()
             WHERE id = existing.id
            RETURNING * INTO reg;
            code := 200;
            outcome := 'reactivated';
          ELSE
            INSERT INTO registrations (event_id, email, email_key, name, language, answers, consent_at, status,
                                       waitlist_seq)
            VALUES (ev_id, op->>'email', op->>'emailKey', op->>'name', op->>'language', op->'answers', now(),
                    new_status, seq)
            RETURNING * INTO reg;
            code := 201;
            outcome := 'created';
          END IF;
          result := foyer_result(outcome, code, reg);
          IF op->>'idempotencyKey' IS NOT NULL THEN
            INSERT INTO idempotency_keys (event_id, key, fingerprint, registration_id, status_code, response)
            VALUES (ev_id, op->>'idempotencyKey', op->>'fingerprint', reg.id, code, result->'registration');
          END IF;
        END IF;
      END IF;

    ELSIF op->>'command' = 'cancel' THEN
      SELECT * INTO reg FROM registrations
       WHERE id = (op->>'registrationId')::UUID AND event_id = ev_id FOR UPDATE;
      IF reg.id IS NULL THEN
        result := foyer_result('registration-not-found', 404, NULL);
      ELSIF reg.status = 'cancelled' THEN
        result := foyer_result('already-cancelled', 200, reg);
      ELSE
        IF reg.status = 'confirmed' THEN
          -- the freed seat goes to the first attendee on the waiting list
          SELECT * INTO promoted FROM registrations
           WHERE event_id = ev_id AND status = 'waitlisted' ORDER BY waitlist_seq LIMIT 1 FOR UPDATE;
          IF promoted.id IS NOT NULL THEN
            UPDATE registrations SET status = 'confirmed', waitlist_seq = NULL, updated_at = now()
             WHERE id = promoted.id RETURNING * INTO promoted;
            seats.waitlisted := seats.waitlisted - 1;
          ELSE
            seats.confirmed := seats.confirmed - 1;
          END IF;
        ELSE
          seats.waitlisted := seats.waitlisted - 1;
        END IF;
        UPDATE registrations SET status = 'cancelled', waitlist_seq = NULL, cancelled_at = now(), updated_at = now()
         WHERE id = reg.id RETURNING * INTO reg;
        IF op ? 'actor' THEN
          -- an organizer's cancellation is audited in the same transaction
          INSERT INTO audit_log (actor, action, event_id, target, details, remote_address)
          VALUES (op->>'actor', 'registration.cancelled', ev_id, 'registration:' || reg.id,
                  jsonb_build_object('promoted', promoted.id), op->>'remoteAddress');
        END IF;
        result := foyer_result('cancelled', 200, reg);
        IF promoted.id IS NOT NULL THEN
          result := result || jsonb_build_object('promoted', foyer_registration_json(promoted));
        END IF;
      END IF;

    ELSE
      RAISE EXCEPTION 'unknown registration command %', op->>'command';
    END IF;
    RETURN NEXT result || jsonb_build_object('index', op->'index');
  END LOOP;
  IF seats.event_id IS NOT NULL THEN
    UPDATE event_seats SET confirmed = seats.confirmed, waitlisted = seats.waitlisted,
                           next_waitlist_seq = seats.next_waitlist_seq
     WHERE event_id = seats.event_id;
  END IF;
END
$$;

-- Changes an event's capacity. Refuses to go below the confirmed count; a larger capacity (or none) confirms
-- attendees from the head of the waiting list. Returns how many were promoted.
CREATE FUNCTION foyer_set_capacity(ev_id BIGINT, new_capacity INT) RETURNS INT LANGUAGE plpgsql AS $$
DECLARE
  seats    event_seats;
  promoted INT;
BEGIN
  SELECT * INTO seats FROM event_seats WHERE event_id = ev_id FOR UPDATE;
  IF new_capacity IS NOT NULL AND new_capacity < seats.confirmed THEN
    RAISE EXCEPTION 'capacity % is below the % confirmed registrations', new_capacity, seats.confirmed
      USING ERRCODE = 'check_violation', HINT = 'foyer:capacity-below-confirmed';
  END IF;
  WITH next AS (
    SELECT id FROM registrations
     WHERE event_id = ev_id AND status = 'waitlisted'
     ORDER BY waitlist_seq
     LIMIT CASE WHEN new_capacity IS NULL THEN NULL ELSE new_capacity - seats.confirmed END
       FOR UPDATE)
  UPDATE registrations r SET status = 'confirmed', waitlist_seq = NULL, updated_at = now()
    FROM next WHERE r.id = next.id;
  GET DIAGNOSTICS promoted = ROW_COUNT;
  UPDATE event_seats
     SET capacity = new_capacity, confirmed = confirmed + promoted, waitlisted = waitlisted - promoted
   WHERE event_id = ev_id;
  RETURN promoted;
END
$$;
