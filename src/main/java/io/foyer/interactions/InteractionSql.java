package io.foyer.interactions;

/** Every SQL statement of the interactions capability (polls and their ballots; see V6__polls.sql). */
final class InteractionSql {

  private InteractionSql() {}

  static final String INSERT_POLL = """
      INSERT INTO polls (event_id, session_id, kind, question, options, settings, results_visible)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""";

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

  static final String SET_RESULTS_VISIBLE = """
      UPDATE polls SET results_visible = $3, updated_at = now() WHERE id = $1 AND event_id = $2 RETURNING *""";

  static final String SET_FINAL_RESULTS = "UPDATE polls SET final_results = $2 WHERE id = $1 RETURNING *";

  static final String BALLOT_ANSWERS = "SELECT answer FROM ballots WHERE poll_id = $1";

  /** A batch of ballots, one statement: see foyer_cast_ballots. */
  static final String CAST_BALLOTS = "SELECT foyer_cast_ballots($1::jsonb) AS result";
}
