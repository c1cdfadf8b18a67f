-- Quizzes (issue 9): an ordered set of timed, scored choice questions, run on the interactions core of polls.
--
-- A question keeps its texts, options and maxPicks as a poll does (question, options, settings), plus what
-- makes it a quiz question: the correct option ids, the time limit and the points. When the presenter opens it,
-- the node stamps opened_at, deadline (opened_at + limit) and answers_until (deadline + the grace for network
-- delay); answers received after answers_until are refused, and the question closes once, at answers_until or
-- earlier by the presenter.
CREATE TABLE quizzes (
  id               BIGSERIAL   PRIMARY KEY,
  event_id         BIGINT      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  session_id       BIGINT      REFERENCES sessions (id) ON DELETE CASCADE,
  title            TEXT        NOT NULL,
  scoring          TEXT        NOT NULL CHECK (scoring IN ('standard', 'accuracy')),
  streak_bonus     BOOLEAN     NOT NULL,
  status           TEXT        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'finished')),
  -- the question open now or closed last; 0 before the first
  current_position INT         NOT NULL DEFAULT 0,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  started_at       TIMESTAMPTZ,
  finished_at      TIMESTAMPTZ
);

CREATE INDEX quizzes_by_event ON quizzes (event_id, id);

CREATE TABLE quiz_questions (
  quiz_id        BIGINT      NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
  position       INT         NOT NULL CHECK (position >= 1),
  kind           TEXT        NOT NULL CHECK (kind IN ('single_choice', 'multiple_choice')),
  question       JSONB       NOT NULL,
  options        JSONB       NOT NULL,
  settings       JSONB       NOT NULL DEFAULT '{}',
  correct        JSONB       NOT NULL,
  time_limit_ms  INT         NOT NULL CHECK (time_limit_ms > 0),
  points         INT         NOT NULL CHECK (points IN (0, 1000, 2000)),
  opened_at      TIMESTAMPTZ,
  deadline       TIMESTAMPTZ,
  answers_until  TIMESTAMPTZ,
  closed_at      TIMESTAMPTZ,
  closed_by      TEXT        CHECK (closed_by IN ('deadline', 'presenter')),
  PRIMARY KEY (quiz_id, position)
);

-- what the sweep of every node looks for: open questions past their window (their opener may have died)
CREATE INDEX quiz_questions_open ON quiz_questions (answers_until) WHERE opened_at IS NOT NULL AND closed_at IS NULL;

-- One answer per player per question, enforced here. answer_id is the client's id of the answer: a retry with
-- the same id is recognised and changes nothing. response_ms is the server-measured time from opened_at to the
-- answer's arrival, capped at the limit; correct, streak and score are decided when the answer is written and
-- never shown to the player before the question closes.
CREATE TABLE quiz_answers (
  quiz_id         BIGINT      NOT NULL,
  position        INT         NOT NULL,
  registration_id UUID        NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  answer_id       UUID        NOT NULL,
  answer          JSONB       NOT NULL,
  received_at     TIMESTAMPTZ NOT NULL,
  response_ms     INT         NOT NULL,
  correct         BOOLEAN     NOT NULL,
  streak          INT         NOT NULL,
  score           INT         NOT NULL,
  PRIMARY KEY (quiz_id, position, registration_id),
  FOREIGN KEY (quiz_id, position) REFERENCES quiz_questions (quiz_id, position) ON DELETE CASCADE
);

CREATE INDEX quiz_answers_by_player ON quiz_answers (quiz_id, registration_id);

-- A batch's ops as rows, with the round of each: the n-th op of the same player on the same question runs in
-- round n, so that a retry in the same batch sees the answer before it.
CREATE FUNCTION foyer_quiz_answer_ops(ops JSONB)
RETURNS TABLE (idx INT, event_id BIGINT, quiz_id BIGINT, "position" INT, registration_id UUID, answer_id UUID,
               answer JSONB, received_ms BIGINT, round BIGINT)
LANGUAGE sql IMMUTABLE AS $$
  SELECT o.idx, o.event_id, o.quiz_id, o.position, o.registration_id, o.answer_id, o.answer, o.received_ms,
         row_number() OVER (PARTITION BY o.quiz_id, o.position, o.registration_id ORDER BY o.idx)
    FROM jsonb_to_recordset(ops) AS o(idx INT, event_id BIGINT, quiz_id BIGINT, position INT,
                                      registration_id UUID, answer_id UUID, answer JSONB, received_ms BIGINT)
$$;

-- A batch of answers: ops is [{idx, event_id, quiz_id, position, registration_id, answer_id, answer,
-- received_ms}], received_ms the node's clock when the answer arrived (epoch milliseconds). One result per op:
-- {index, outcome, answer, response_ms}. Outcomes: recorded, replayed (the same answer_id again: answer = the
-- stored one), not-found (no such quiz or question in the event), registration-inactive, already-answered
-- (another answer_id), question-not-open (not opened yet), too-late (received after answers_until),
-- question-closed (received in time, but the question closed before the answer was written: early by the
-- presenter, or at its deadline while the answer still queued).
--
-- Scoring (docs/api.md#scoring): t = received - opened_at in ms, capped at the limit T; a correct answer of a
-- question worth P points scores P when t < 500 or in accuracy-first scoring, else round((1 - (t / T) / 2) * P);
-- a wrong one 0. streak = the player's streak after the previous question + 1 when correct, else 0; with the
-- streak bonus, a correct answer worth points adds min(100 * (streak - 1), 500).
--
-- The batch's questions are locked first (in key order, so that batches never deadlock): answers to one
-- question are decided by one batch at a time, and a question cannot close while a batch decides on it.
CREATE FUNCTION foyer_record_quiz_answers(ops JSONB) RETURNS SETOF JSONB LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  rounds BIGINT;
BEGIN
  PERFORM 1 FROM quiz_questions q
   WHERE (q.quiz_id, q.position) IN (SELECT (op ->> 'quiz_id')::BIGINT, (op ->> 'position')::INT
                                       FROM jsonb_array_elements(ops) op)
   ORDER BY q.quiz_id, q.position FOR NO KEY UPDATE;
  SELECT max(o.round) INTO rounds FROM foyer_quiz_answer_ops(ops) o;
  FOR r IN 1 .. coalesce(rounds, 0) LOOP
    RETURN QUERY
    WITH timed AS (
      SELECT o.*, z.id AS found_quiz, z.event_id AS quiz_event, z.scoring, z.streak_bonus,
             q.quiz_id AS found_question, q.kind, q.correct AS correct_options, q.time_limit_ms, q.points,
             q.opened_at, q.answers_until, q.closed_at,
             reg.id AS reg_id, reg.event_id AS reg_event, reg.status AS reg_status, reg.erased_at,
             a.answer_id AS stored_id, a.answer AS stored_answer, a.response_ms AS stored_ms,
             prev.streak AS previous_streak,
             least(greatest(o.received_ms - (extract(epoch FROM q.opened_at) * 1000)::BIGINT, 0),
                   q.time_limit_ms)::INT AS t
        FROM foyer_quiz_answer_ops(ops) o
        LEFT JOIN quizzes z ON z.id = o.quiz_id
        LEFT JOIN quiz_questions q ON q.quiz_id = o.quiz_id AND q.position = o.position
        LEFT JOIN registrations reg ON reg.id = o.registration_id
        LEFT JOIN quiz_answers a ON a.quiz_id = o.quiz_id AND a.position = o.position
                                AND a.registration_id = o.registration_id
        LEFT JOIN quiz_answers prev ON prev.quiz_id = o.quiz_id AND prev.position = o.position - 1
                                   AND prev.registration_id = o.registration_id
       WHERE o.round = r
    ), decided AS (
      SELECT t.*,
             CASE
               WHEN t.found_quiz IS NULL OR t.quiz_event <> t.event_id OR t.found_question IS NULL THEN 'not-found'
               WHEN t.reg_id IS NULL OR t.reg_event <> t.event_id OR t.reg_status = 'cancelled'
                    OR t.erased_at IS NOT NULL THEN 'registration-inactive'
               WHEN t.stored_id = t.answer_id THEN 'replayed'
               WHEN t.stored_id IS NOT NULL THEN 'already-answered'
               WHEN t.opened_at IS NULL THEN 'question-not-open'
               WHEN t.received_ms > (extract(epoch FROM t.answers_until) * 1000)::BIGINT THEN 'too-late'
               WHEN t.closed_at IS NOT NULL THEN 'question-closed'
               ELSE 'recorded'
             END AS outcome,
             CASE t.kind
               WHEN 'single_choice' THEN t.correct_options ? (t.answer ->> 'option')
               ELSE (SELECT array_agg(x ORDER BY x) FROM jsonb_array_elements_text(t.answer -> 'options') x)
                  = (SELECT array_agg(x ORDER BY x) FROM jsonb_array_elements_text(t.correct_options) x)
             END AS is_correct
        FROM timed t
    ), scored AS (
      SELECT d.*,
             CASE WHEN d.is_correct THEN coalesce(d.previous_streak, 0) + 1 ELSE 0 END AS new_streak,
             CASE
               WHEN NOT coalesce(d.is_correct, false) OR d.points = 0 THEN 0
               WHEN d.scoring = 'accuracy' OR d.t < 500 THEN d.points
               -- round((1 - (t / T) / 2) * P), as one exact fraction: P * (2T - t) / 2T
               ELSE round((d.points::NUMERIC * (2 * d.time_limit_ms - d.t)) / (2 * d.time_limit_ms))::INT
             END AS base
        FROM decided d
    ), written AS (
      INSERT INTO quiz_answers AS a (quiz_id, position, registration_id, answer_id, answer, received_at,
                                     response_ms, correct, streak, score)
      SELECT s.quiz_id, s.position, s.registration_id, s.answer_id, s.answer,
             to_timestamp(s.received_ms / 1000.0), s.t, s.is_correct, s.new_streak,
             s.base + CASE WHEN s.streak_bonus AND s.is_correct AND s.points > 0
                           THEN least(100 * (s.new_streak - 1), 500) ELSE 0 END
        FROM scored s WHERE s.outcome = 'recorded'
      ON CONFLICT ON CONSTRAINT quiz_answers_pkey DO NOTHING
      RETURNING a.quiz_id, a.position, a.registration_id
    )
    SELECT jsonb_build_object('index', s.idx,
             -- a concurrent answer of the same player took the key first: the unique key decides
             'outcome', CASE WHEN s.outcome = 'recorded' AND w.registration_id IS NULL THEN 'already-answered'
                             ELSE s.outcome END,
             'answer', CASE WHEN s.outcome = 'replayed' THEN s.stored_answer ELSE s.answer END,
             'response_ms', CASE WHEN s.outcome = 'replayed' THEN s.stored_ms
                                 WHEN s.outcome = 'recorded' THEN s.t END)
      FROM scored s LEFT JOIN written w ON s.outcome = 'recorded' AND w.quiz_id = s.quiz_id
                                      AND w.position = s.position AND w.registration_id = s.registration_id;
  END LOOP;
END
$$;
