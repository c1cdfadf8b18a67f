-- How attendees may register, per event: 'open' (anyone, as before), 'sso' (signed in through a provider; name
-- and email come from the sign-in) or 'invite' (with an invite code an organizer made).

ALTER TABLE events ADD COLUMN registration_mode TEXT NOT NULL DEFAULT 'open'
  CHECK (registration_mode IN ('open', 'sso', 'invite'));

-- Invite codes. Only a SHA-256 of each code is kept (the code is random, 128 bits: no salt needed): the code is
-- shown once, when made, so a copy of the database or an organizer's listing admits nobody. 'used' can never
-- pass 'uses'; the registration writer spends a use in the transaction that commits the registration.
CREATE TABLE invite_codes (
  id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id   BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  code_hash  TEXT        NOT NULL,
  -- the code's first characters, for an organizer to tell codes apart
  hint       TEXT        NOT NULL,
  label      TEXT,
  uses       INT         NOT NULL CHECK (uses > 0),
  used       INT         NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= uses),
  created_by TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX invite_codes_by_hash ON invite_codes (event_id, code_hash);
CREATE INDEX invite_codes_by_event ON invite_codes (event_id, id);

-- Who registered by signing in (erased with the rest of the personal data), and with which invite code.
ALTER TABLE registrations
  ADD COLUMN sso_provider   TEXT,
  ADD COLUMN sso_subject    TEXT,
  ADD COLUMN invite_code_id BIGINT REFERENCES invite_codes (id) ON DELETE SET NULL;
-- one registration per signed-in person and event: the database, not a check-then-insert, enforces it
CREATE UNIQUE INDEX registrations_one_per_sign_in ON registrations (event_id, sso_provider, sso_subject)
  WHERE sso_subject IS NOT NULL;

-- The per-command path now also applies the event's registration mode: an 'invite' registration locks its code's
-- row after the seat row (every batch locks in that order, so no deadlock) and spends a use only when it creates
-- or reactivates a registration; a replay of an Idempotency-Key or an attendee already registered spends none.
-- A refusal is an answer, never an exception, so one bad code never fails the other registrations of its batch.

CREATE OR REPLACE FUNCTION foyer_registration_commands_each(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  op         JSONB;
  ev_id      BIGINT;
  current_ev BIGINT;
  seats      event_seats;
  ev         events;
  idem       idempotency_keys;
  existing   registrations;
  invite     invite_codes;
  refusal    TEXT;
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
        invite := NULL;
        existing := NULL;
        refusal := NULL;
        -- the event's own rule, decided here whatever a node's cached copy of the event said
        IF ev.registration_mode = 'invite' THEN
          IF op->>'inviteHash' IS NULL THEN
            refusal := 'invite-code-required';
          ELSE
            -- locked: registrations racing for a code's last use (in this batch or another node's) take turns
            SELECT * INTO invite FROM invite_codes
             WHERE event_id = ev_id AND code_hash = op->>'inviteHash' FOR UPDATE;
            IF invite.id IS NULL THEN
              refusal := 'invite-code-unknown';
            ELSIF invite.revoked_at IS NOT NULL THEN
              refusal := 'invite-code-revoked';
            END IF;
          END IF;
        ELSIF ev.registration_mode = 'sso' THEN
          IF op->>'ssoSubject' IS NULL THEN
            refusal := 'sign-in-required';
          ELSE
            -- the same person signing in again is the same registration, even with another email since
            SELECT * INTO existing FROM registrations
             WHERE event_id = ev_id AND sso_provider = op->>'ssoProvider' AND sso_subject = op->>'ssoSubject'
               FOR UPDATE;
          END IF;
        END IF;
        IF refusal IS NULL AND existing.id IS NULL THEN
          -- locked: an erasure committing meanwhile must not be undone by a reactivation below
          SELECT * INTO existing FROM registrations WHERE event_id = ev_id AND email_key = op->>'emailKey' FOR UPDATE;
        END IF;
        IF refusal IS NOT NULL THEN
          result := foyer_result(refusal, 403, NULL);
        ELSIF existing.id IS NOT NULL AND existing.status <> 'cancelled' THEN
          -- sameSignIn: the registration is this signed-in person's own, who may have its token again
          result := foyer_result('existing', 200, existing) || jsonb_build_object('sameSignIn',
            op->>'ssoSubject' IS NOT NULL AND existing.sso_provider IS NOT DISTINCT FROM op->>'ssoProvider'
            AND existing.sso_subject IS NOT DISTINCT FROM op->>'ssoSubject');
        ELSIF existing.id IS NOT NULL AND existing.email_key IS DISTINCT FROM op->>'emailKey'
              AND EXISTS (SELECT 1 FROM registrations WHERE event_id = ev_id AND email_key = op->>'emailKey') THEN
          -- a cancelled sign-in's registration would come back with an email another registration holds
          result := foyer_result('email-taken', 409, NULL);
        ELSIF ev.registration_opens_at IS NOT NULL AND now() < ev.registration_opens_at THEN
          result := foyer_result('not-open', 409, NULL);
        ELSIF ev.registration_closes_at IS NOT NULL AND now() >= ev.registration_closes_at THEN
          result := foyer_result('closed', 409, NULL);
        ELSIF invite.id IS NOT NULL AND invite.used >= invite.uses THEN
          result := foyer_result('invite-code-used-up', 403, NULL);
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
                   email_key = op->>'emailKey', language = op->>'language', answers = op->'answers',
                   consent_at = now(), cancelled_at = NULL, updated_at = now(), sso_provider = op->>'ssoProvider',
                   sso_subject = op->>'ssoSubject', invite_code_id = invite.id
             WHERE id = existing.id
            RETURNING * INTO reg;
            code := 200;
            outcome := 'reactivated';
          ELSE
            INSERT INTO registrations (event_id, email, email_key, name, language, answers, consent_at, status,
                                       waitlist_seq, sso_provider, sso_subject, invite_code_id)
            VALUES (ev_id, op->>'email', op->>'emailKey', op->>'name', op->>'language', op->'answers', now(),
                    new_status, seq, op->>'ssoProvider', op->>'ssoSubject', invite.id)
            RETURNING * INTO reg;
            code := 201;
            outcome := 'created';
          END IF;
          IF invite.id IS NOT NULL THEN
            -- consumed in the transaction that commits the registration: a use is spent exactly when one is made
            UPDATE invite_codes SET used = used + 1 WHERE id = invite.id;
          END IF;
          result := jsonb_build_object('outcome', outcome, 'statusCode', code, 'registration',
                                       foyer_registration_json(reg, CASE WHEN seq IS NOT NULL THEN seats.waitlisted END));
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
          -- a place freed in the middle of the waiting list: the places after it move up by one
          INSERT INTO waitlist_departures (event_id, seq) VALUES (ev_id, reg.waitlist_seq);
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


-- Registrations for 'sso' and 'invite' events take the per-command path (their events are never among the
-- set-based first registrations): a code's uses and a sign-in's identity are decided one registration at a
-- time, in arrival order. Open events keep the set-based path unchanged.
CREATE OR REPLACE FUNCTION foyer_registration_commands(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  first_time INT[];
BEGIN
  PERFORM 1 FROM event_seats
   WHERE event_id IN (SELECT DISTINCT (o->>'eventId')::BIGINT FROM jsonb_array_elements(ops) o)
   ORDER BY event_id FOR UPDATE;

  -- Which commands are first registrations. An event whose batch also frees or retakes seats (a cancellation,
  -- a reactivation, an Idempotency-Key used twice) runs wholly through the per-command path, in arrival order;
  -- for the others, the remaining commands (replays, emails already registered, a closed window) change no
  -- seat, so deciding the first registrations before them gives the same answers as arrival order. The seat
  -- rows' locks keep all this true until the transaction ends.
  WITH commands AS (
    SELECT t.n, t.o->>'command' AS command, (t.o->>'eventId')::BIGINT AS ev_id, t.o->>'emailKey' AS email_key,
           t.o->>'idempotencyKey' AS idem_key,
           row_number() OVER (PARTITION BY t.o->>'eventId', t.o->>'emailKey' ORDER BY t.n) AS email_rank,
           count(*) OVER (PARTITION BY t.o->>'eventId', t.o->>'idempotencyKey') AS key_uses
      FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(o, n)),
  -- one index probe per command: the registration of its email, and the registration its Idempotency-Key
  -- answered with (subqueries, not joins: the plan is made once, and must not scan tables that grow)
  known AS (
    SELECT c.*,
           (SELECT r.status FROM registrations r
             WHERE r.event_id = c.ev_id AND r.email_key = c.email_key) AS email_status,
           (SELECT kr.status FROM idempotency_keys k JOIN registrations kr ON kr.id = k.registration_id
             WHERE k.event_id = c.ev_id AND k.key = c.idem_key) AS key_status
      FROM commands c),
  reseating AS (
    SELECT DISTINCT ev_id FROM known
     WHERE command <> 'register' OR (idem_key IS NOT NULL AND key_uses > 1)
        OR email_status = 'cancelled' OR key_status = 'cancelled')
  SELECT coalesce(array_agg(c.n), '{}') INTO first_time
    FROM known c JOIN events e ON e.id = c.ev_id
   WHERE c.command = 'register' AND c.email_rank = 1 AND c.email_status IS NULL AND c.key_status IS NULL
     AND c.ev_id NOT IN (SELECT ev_id FROM reseating)
     AND e.registration_mode = 'open'
     AND (e.registration_opens_at IS NULL OR now() >= e.registration_opens_at)
     AND (e.registration_closes_at IS NULL OR now() < e.registration_closes_at);

  IF cardinality(first_time) > 0 THEN
    RETURN QUERY
    WITH arrivals AS (
      SELECT t.n, t.o, (t.o->>'eventId')::BIGINT AS ev_id,
             row_number() OVER (PARTITION BY t.o->>'eventId' ORDER BY t.n) AS rank
        FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(o, n)
       WHERE t.n = ANY (first_time)),
    placed AS (
      SELECT a.*, s.waitlisted,
             CASE WHEN s.capacity IS NULL THEN a.rank + 1 ELSE s.capacity - s.confirmed END AS free,
             s.next_waitlist_seq
        FROM arrivals a JOIN event_seats s ON s.event_id = a.ev_id),
    -- materialized (a volatile function): the ids given here are the ids inserted and answered
    decided AS (
      SELECT p.*, gen_random_uuid() AS id, p.rank > p.free AS waits,
             CASE WHEN p.rank > p.free THEN p.next_waitlist_seq + p.rank - p.free - 1 END AS seq,
             CASE WHEN p.rank > p.free THEN p.waitlisted + p.rank - p.free END AS position
        FROM placed p),
    inserted AS (
      INSERT INTO registrations (id, event_id, email, email_key, name, language, answers, consent_at, status,
                                 waitlist_seq)
      SELECT d.id, d.ev_id, d.o->>'email', d.o->>'emailKey', d.o->>'name', d.o->>'language', d.o->'answers', now(),
             CASE WHEN d.waits THEN 'waitlisted' ELSE 'confirmed' END, d.seq
        FROM decided d ORDER BY d.n),
    -- the registration as foyer_registration_json shows it, built from the command (every new row of the
    -- transaction has the same timestamps): formatting each row's timestamps would cost more than its insert
    stamp AS MATERIALIZED (SELECT foyer_ts(now()) AS now),
    answered AS (
      SELECT d.n, d.o, d.id,
             jsonb_build_object('id', d.id, 'eventId', d.ev_id, 'email', d.o->'email', 'name', d.o->'name',
                                'language', d.o->'language', 'answers', d.o->'answers',
                                'status', CASE WHEN d.waits THEN 'waitlisted' ELSE 'confirmed' END,
                                'consentAt', stamp.now, 'createdAt', stamp.now, 'updatedAt', stamp.now,
                                'cancelledAt', NULL, 'erasedAt', NULL, 'waitlistPosition', d.position) AS registration
        FROM decided d CROSS JOIN stamp),
    counted AS (
      UPDATE event_seats s
         SET confirmed = s.confirmed + x.confirmed, waitlisted = s.waitlisted + x.waiting,
             next_waitlist_seq = s.next_waitlist_seq + x.waiting
        FROM (SELECT ev_id, count(*) FILTER (WHERE NOT waits) AS confirmed, count(*) FILTER (WHERE waits) AS waiting
                FROM decided GROUP BY ev_id) x
       WHERE s.event_id = x.ev_id),
    keyed AS (
      INSERT INTO idempotency_keys (event_id, key, fingerprint, registration_id, status_code, response)
      SELECT (a.o->>'eventId')::BIGINT, a.o->>'idempotencyKey', a.o->>'fingerprint', a.id, 201, a.registration
        FROM answered a WHERE a.o->>'idempotencyKey' IS NOT NULL)
    SELECT jsonb_build_object('outcome', 'created', 'statusCode', 201, 'registration', a.registration,
                              'index', a.o->'index')
      FROM answered a;
  END IF;

  IF cardinality(first_time) < jsonb_array_length(ops) THEN
    RETURN QUERY
    SELECT * FROM foyer_registration_commands_each(
      (SELECT jsonb_agg(t.o ORDER BY t.n)
         FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(o, n) WHERE NOT t.n = ANY (first_time)));
  END IF;
END
$$;
