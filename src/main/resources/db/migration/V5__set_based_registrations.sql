-- Registration batches written set-based, and waiting-list positions without counting the list.
--
-- A batch used to run its commands one by one (a loop of single-row statements, 250-340 µs of PostgreSQL time
-- per registration). Now the common case, a first registration of an email for an open event, is decided and
-- inserted for the whole batch at once; only the rare cases (replays of an Idempotency-Key, reactivation of a
-- cancelled registration, an email already registered, cancellations) take the per-command path.

-- Every lookup of an event's registrations goes through the unique (event_id, email_key) index: a listing in
-- order of registration sorts the event's rows (thousands, not millions). The (event_id, created_at) index cost
-- every registration one more index insertion, and a batch's lookup of an email, planned once per connection
-- (see below), could pick it over the unique index while the table was still small, and then scan the event's
-- rows for every registration.
DROP INDEX registrations_by_event;

-- A place on the waiting list is the registration's waitlist_seq counted from the head of the list, less the
-- places freed in between. Promotions always take the head, so only a waitlisted registration that is
-- cancelled frees a place in the middle: it is recorded here.
CREATE TABLE waitlist_departures (
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  seq      BIGINT NOT NULL,
  PRIMARY KEY (event_id, seq)
);

-- Earlier cancellations left gaps that were not recorded: renumber each waiting list 1..n (the order is kept),
-- so that the gaps are gone and the rule above holds from here on.
WITH renumbered AS (
  SELECT id, row_number() OVER (PARTITION BY event_id ORDER BY waitlist_seq) AS seq
    FROM registrations WHERE status = 'waitlisted')
UPDATE registrations r SET waitlist_seq = renumbered.seq FROM renumbered WHERE r.id = renumbered.id;
UPDATE event_seats s SET next_waitlist_seq = s.waitlisted + 1;

-- O(log n): the head from the waiting-list index, and the (rare) departures between the head and the place.
CREATE FUNCTION foyer_waitlist_position(ev_id BIGINT, place BIGINT) RETURNS BIGINT LANGUAGE sql STABLE AS $$
  SELECT place - head.seq + 1
         - (SELECT count(*) FROM waitlist_departures d WHERE d.event_id = ev_id AND d.seq > head.seq AND d.seq < place)
    FROM (SELECT min(waitlist_seq) AS seq FROM registrations WHERE event_id = ev_id AND status = 'waitlisted') head
$$;

-- A registration as the API shows it, its waiting-list position given (a batch knows it without a lookup).
CREATE FUNCTION foyer_registration_json(reg registrations, waitlist_position BIGINT) RETURNS JSONB
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', reg.id, 'eventId', reg.event_id, 'email', reg.email, 'name', reg.name, 'language', reg.language,
    'answers', reg.answers, 'status', reg.status, 'consentAt', foyer_ts(reg.consent_at),
    'createdAt', foyer_ts(reg.created_at), 'updatedAt', foyer_ts(reg.updated_at),
    'cancelledAt', foyer_ts(reg.cancelled_at), 'erasedAt', foyer_ts(reg.erased_at),
    'waitlistPosition', waitlist_position)
$$;

CREATE OR REPLACE FUNCTION foyer_registration_json(reg registrations) RETURNS JSONB LANGUAGE sql STABLE AS $$
  SELECT foyer_registration_json(reg, CASE WHEN reg.status = 'waitlisted' THEN
                                           foyer_waitlist_position(reg.event_id, reg.waitlist_seq) END)
$$;

-- The per-command path (the former foyer_registration_commands, which now calls it for the rare cases):
-- commands in order, each event's seat row locked once and its counters written back once.
DROP FUNCTION foyer_registration_commands(JSONB);

CREATE FUNCTION foyer_registration_commands_each(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
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

-- One batch of registration commands ('register', 'cancel'), one result per command (with its 'index').
-- The batch's first registrations (an email new to an open event, an Idempotency-Key not seen before) are
-- decided together: each event's seat row is locked once (in event order, as every batch does, so batches on
-- different nodes never deadlock), seats and waiting-list places are handed out in arrival order from its
-- counters, and the rows are inserted by one statement. Every other command then runs through
-- foyer_registration_commands_each, in arrival order, on the counters the first step left. The answers are
-- the ones foyer_registration_commands_each alone would give (RegistrationBatchSqlTest compares the two).
--
-- Its statements are planned once per connection (a generic plan): planning them anew for each batch, as
-- PostgreSQL otherwise does while a parameter's value could change the plan, cost about 3 ms per call, more
-- than deciding and inserting 25 registrations.
CREATE FUNCTION foyer_registration_commands(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql
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
