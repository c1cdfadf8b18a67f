package io.foyer.interactions;

/**
 * Every SQL statement of the interactions capability: polls and their ballots (V6__polls.sql), quizzes, their
 * questions and answers (V8__quizzes.sql).
 */
final class InteractionSql {

  private InteractionSql() {}

  static final String INSERT_POLL = """
      INSERT INTO polls (event_id, session_id, kind, question, options, settings, results_visible, id)
      -- an id allocated across regions, else the table's own sequence as always
      VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::BIGINT, nextval(pg_get_serial_sequence('polls', 'id'))))
      RETURNING *""";

  static final String POLL = "SELECT * FROM polls WHERE id = $1 AND event_id = $2";

  static final String POLLS_OF_EVENT = "SELECT * FROM polls WHERE event_id = $1 ORDER BY id";

  /** Changes a draft only: no row when the poll is missing or no longer a draft. */
  static final String UPDATE_DRAFT = """
      UPDATE polls SET session_id = $3, kind = $4, question = $5, options = $6, settings = $7,
             results_visible = $8, updated_at = now()
       WHERE id = $1 AND event_id = $2 AND status = 'draft' RETURNING *""";

  /** Moves a poll from one status to another: no row when it is missing or not in the expected status. */
  static final String TRANSITION = """
      UPDATE polls SET status = $4, updated_at = now(),
             launched_at = CASE WHEN $4 = 'live' THEN coalesce(launched_at, now()) ELSE launched_at END,
             closed_at = CASE WHEN $4 = 'closed' THEN now() END,
             final_results = NULL
       WHERE id = $1 AND event_id = $2 AND status = $3 RETURNING *""";

  static final String LIVE_POLL_IDS = "SELECT id FROM polls WHERE status = 'live'";

  static final String SET_RESULTS_VISIBLE = """
      UPDATE polls SET results_visible = $3, updated_at = now() WHERE id = $1 AND event_id = $2 RETURNING *""";

  static final String SET_FINAL_RESULTS = "UPDATE polls SET final_results = $2 WHERE id = $1 RETURNING *";

  static final String BALLOT_ANSWERS = "SELECT answer FROM ballots WHERE poll_id = $1";

  /** A batch of ballots, one statement: see foyer_cast_ballots. */
  static final String CAST_BALLOTS = "SELECT foyer_cast_ballots($1::jsonb) AS result";

  static final String INSERT_QUIZ = """
      INSERT INTO quizzes (event_id, session_id, title, scoring, streak_bonus, id)
      VALUES ($1, $2, $3, $4, $5, COALESCE($6::BIGINT, nextval(pg_get_serial_sequence('quizzes', 'id'))))
      RETURNING id""";

  static final String INSERT_QUIZ_QUESTION = """
      INSERT INTO quiz_questions (quiz_id, position, kind, question, options, settings, correct, time_limit_ms, points)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""";

  /** A quiz with its questions, each row as JSON in position order (see Quiz.from). */
  private static final String QUIZ_WITH_QUESTIONS = """
      SELECT z.*, (SELECT jsonb_agg(to_jsonb(q) ORDER BY q.position) FROM quiz_questions q WHERE q.quiz_id = z.id)
             AS questions
        FROM quizzes z""";

  static final String QUIZ = QUIZ_WITH_QUESTIONS + " WHERE z.id = $1 AND z.event_id = $2";

  /** The quiz, its row locked for a change of its state. */
  static final String QUIZ_FOR_UPDATE = QUIZ + " FOR UPDATE OF z";

  static final String QUIZZES_OF_EVENT = QUIZ_WITH_QUESTIONS + " WHERE z.event_id = $1 ORDER BY z.id";

  static final String START_QUIZ = """
      UPDATE quizzes SET status = 'running', started_at = $2, updated_at = now() WHERE id = $1""";

  static final String FINISH_QUIZ = """
      UPDATE quizzes SET status = 'finished', finished_at = $2, updated_at = now() WHERE id = $1""";

  static final String MOVE_TO_QUESTION = """
      UPDATE quizzes SET current_position = $2, updated_at = now() WHERE id = $1""";

  static final String OPEN_QUESTION = """
      UPDATE quiz_questions SET opened_at = $3, deadline = $4, answers_until = $5
       WHERE quiz_id = $1 AND position = $2""";

  static final String CLOSE_QUESTION = """
      UPDATE quiz_questions SET closed_at = $3, closed_by = $4 WHERE quiz_id = $1 AND position = $2""";

  /** Open questions whose window ended a while ago by the database's clock, whoever opened them. */
  static final String OVERDUE_QUESTIONS = """
      SELECT q.quiz_id, q.position, z.event_id FROM quiz_questions q JOIN quizzes z ON z.id = q.quiz_id
       WHERE q.opened_at IS NOT NULL AND q.closed_at IS NULL
         AND q.answers_until < now() - $1 * INTERVAL '1 millisecond'""";

  /**
   * Every player's standing after the question at $2 closed: totals over the questions up to it, and what the
   * question itself gave (null when the player did not answer it).
   */
  static final String STANDINGS = """
      SELECT registration_id, sum(score) AS score, sum(response_ms) AS total_ms,
             count(*) FILTER (WHERE correct) AS correct_answers,
             max(streak) FILTER (WHERE position = $2) AS streak,
             max(score) FILTER (WHERE position = $2) AS gained,
             bool_or(correct) FILTER (WHERE position = $2) AS correct
        FROM quiz_answers WHERE quiz_id = $1 AND position <= $2 GROUP BY registration_id""";

  /** One player's standing after the question at $3 (the last closed), and its answer to the open one at $4. */
  static final String STANDING_OF_PLAYER = """
      SELECT coalesce(sum(score) FILTER (WHERE position <= $3), 0) AS score,
             coalesce(sum(response_ms) FILTER (WHERE position <= $3), 0) AS total_ms,
             count(*) FILTER (WHERE correct AND position <= $3) AS correct_answers,
             max(streak) FILTER (WHERE position = $3) AS streak,
             max(score) FILTER (WHERE position = $3) AS gained,
             bool_or(correct) FILTER (WHERE position = $3) AS correct,
             (array_agg(answer) FILTER (WHERE position = $4))[1] AS current_answer
        FROM quiz_answers WHERE quiz_id = $1 AND registration_id = $2""";

  /** A batch of answers, one statement: see foyer_record_quiz_answers. */
  static final String RECORD_QUIZ_ANSWERS = "SELECT foyer_record_quiz_answers($1::jsonb) AS result";
}
