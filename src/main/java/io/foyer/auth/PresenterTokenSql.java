package io.foyer.auth;

/** Every SQL statement about presenter tokens. */
final class PresenterTokenSql {

  private PresenterTokenSql() {}

  static final String INSERT = """
      INSERT INTO presenter_tokens (event_id, session_id, name, expires_at) VALUES ($1, $2, $3, $4)
      RETURNING *""";

  static final String LIST = "SELECT * FROM presenter_tokens WHERE event_id = $1 ORDER BY created_at, id";

  // one read per use: a revocation or an expiry counts on every node at once
  static final String STILL_VALID = """
      SELECT * FROM presenter_tokens WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()""";

  static final String LOCK = "SELECT * FROM presenter_tokens WHERE id = $1 AND event_id = $2 FOR UPDATE";

  static final String REVOKE = "UPDATE presenter_tokens SET revoked_at = now() WHERE id = $1";
}
