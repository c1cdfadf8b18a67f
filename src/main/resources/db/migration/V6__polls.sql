-- Polls (the shared core of polls and quizzes, issue 9) and their ballots.
--
-- A poll's texts are kept as the organizer wrote them: the question and each option in the event's default
-- language ("text") with optional translations per language ("translations": {"fr": "..."}). Settings that
-- depend on the kind (maxPicks, scale, maxLength) and allowChange are one JSONB object; resultsVisible is a
-- column of its own because organizers flip it while the poll runs.
CREATE TABLE polls (
  id              BIGSERIAL   PRIMARY KEY,
  event_id        BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  session_id      BIGINT      REFERENCES sessions (id) ON DELETE CASCADE,
  kind            TEXT        NOT NULL CHECK (kind IN ('single_choice', 'multiple_choice', 'rating', 'ranking',
                                                       'word_cloud', 'open_text')),
  question        JSONB       NOT NULL,
  options         JSONB       NOT NULL DEFAULT '[]',
  settings        JSONB       NOT NULL DEFAULT '{}',
  results_visible BOOLEAN     NOT NULL DEFAULT false,
  status          TEXT        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live', 'closed')),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  launched_at     TIMESTAMPTZ,
  closed_at       TIMESTAMPTZ,
  -- written from the ballots when the poll closes (the ballots stay the source of truth)
  final_results   JSONB
);

CREATE INDEX polls_by_event ON polls (event_id, id);

-- One ballot per attendee per poll, enforced here. vote_id is the client's id of the ballot it last cast: a
-- retry with the same id is recognised and changes nothing.
CREATE TABLE ballots (
  poll_id         BIGINT      NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
  registration_id UUID        NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  vote_id         UUID        NOT NULL,
  answer          JSONB       NOT NULL,
  cast_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (poll_id, registration_id)
);

-- A batch of ballots: ops is [{idx, event_id, poll_id, registration_id, vote_id, answer}]; one result per op:
-- {index, outcome, answer, previous}. Outcomes: cast, changed (previous = the answer it replaced), replayed
-- (the same voteId again: answer = the stored one, nothing changed), poll-not-found, poll-not-live,
-- registration-inactive (cancelled, erased or of another event), already-voted (the poll does not allow a
-- change).
--
-- The batch's polls are locked first (in id order, so that concurrent batches never deadlock): ballots of one
-- poll are decided by one batch at a time, and a poll cannot close while a batch is deciding on it. Ops of the
-- same attendee on the same poll (a retry, a change) run in rounds, the n-th of each in round n, so that each
-- sees the one before; every round is one set-based statement (almost every batch has one round).
CREATE FUNCTION foyer_ballot_ops(ops JSONB)
RETURNS TABLE (idx INT, event_id BIGINT, poll_id BIGINT, registration_id UUID, vote_id UUID, answer JSONB, round BIGINT)
LANGUAGE sql IMMUTABLE AS $$
  SELECT o.idx, o.event_id, o.poll_id, o.registration_id, o.vote_id, o.answer,
         row_number() OVER (PARTITION BY o.poll_id, o.registration_id ORDER BY o.idx)
    FROM jsonb_to_recordset(ops) AS o(idx INT, event_id BIGINT, poll_id BIGINT, registration_id UUID,
                                      vote_id UUID, answer JSONB)
$$;

CREATE FUNCTION foyer_cast_ballots(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  rounds BIGINT;
BEGIN
  PERFORM 1 FROM polls WHERE id IN (SELECT (op ->> 'poll_id')::BIGINT FROM jsonb_array_elements(ops) op)
    ORDER BY id FOR NO KEY UPDATE;
  SELECT max(o.round) INTO rounds FROM foyer_ballot_ops(ops) o;
  FOR r IN 1 .. coalesce(rounds, 0) LOOP
    RETURN QUERY
    WITH decided AS (
      SELECT o.idx, o.poll_id, o.registration_id, o.vote_id, o.answer, b.answer AS previous,
             CASE
               WHEN p.id IS NULL OR p.event_id <> o.event_id THEN 'poll-not-found'
               WHEN reg.id IS NULL OR reg.event_id <> o.event_id OR reg.status = 'cancelled'
                    OR reg.erased_at IS NOT NULL THEN 'registration-inactive'
               WHEN b.vote_id = o.vote_id THEN 'replayed'
               WHEN p.status <> 'live' THEN 'poll-not-live'
               WHEN b.vote_id IS NULL THEN 'cast'
               WHEN coalesce((p.settings ->> 'allowChange')::BOOLEAN, false) THEN 'changed'
               ELSE 'already-voted'
             END AS outcome
        FROM foyer_ballot_ops(ops) o
        LEFT JOIN polls p ON p.id = o.poll_id
        LEFT JOIN registrations reg ON reg.id = o.registration_id
        LEFT JOIN ballots b ON b.poll_id = o.poll_id AND b.registration_id = o.registration_id
       WHERE o.round = r
    ), written AS (
      INSERT INTO ballots AS b (poll_id, registration_id, vote_id, answer)
      SELECT d.poll_id, d.registration_id, d.vote_id, d.answer FROM decided d WHERE d.outcome IN ('cast', 'changed')
      ON CONFLICT ON CONSTRAINT ballots_pkey
      DO UPDATE SET vote_id = EXCLUDED.vote_id, answer = EXCLUDED.answer, updated_at = now()
      RETURNING b.poll_id
    )
    SELECT jsonb_build_object('index', d.idx, 'outcome', d.outcome,
             'answer', CASE WHEN d.outcome = 'replayed' THEN d.previous ELSE d.answer END,
             'previous', CASE WHEN d.outcome = 'changed' THEN d.previous END)
      FROM decided d;
  END LOOP;
END
$$;
