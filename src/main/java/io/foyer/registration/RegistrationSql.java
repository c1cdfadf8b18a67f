package io.foyer.registration;

/** Every SQL statement of the registration capability. */
final class RegistrationSql {

  private RegistrationSql() {}

  /** One group-committed batch of registrations and cancellations (see the V2 migration). */
  static final String APPLY_COMMANDS = "SELECT foyer_registration_commands($1::jsonb) AS result";

  static final String STATUS = """
      SELECT event_id, status <> 'cancelled' AND erased_at IS NULL AS active, language FROM registrations
      WHERE id = $1""";

  static final String GET = """
      SELECT foyer_registration_json(r) AS registration FROM registrations r WHERE r.id = $1 AND r.event_id = $2""";

  static final String LOCK = "SELECT * FROM registrations WHERE id = $1 AND event_id = $2 FOR UPDATE";

  static final String UPDATE_DETAILS = """
      UPDATE registrations r SET name = $3, language = $4, answers = $5, updated_at = now()
       WHERE r.id = $1 AND r.event_id = $2 RETURNING foyer_registration_json(r) AS registration""";

  static final String LIST = """
      SELECT foyer_registration_json(r) AS registration FROM registrations r
       WHERE r.event_id = $1 AND ($2::text IS NULL OR r.status = $2)
       ORDER BY r.created_at, r.id LIMIT $3 OFFSET $4""";

  static final String COUNT = """
      SELECT count(*) FROM registrations WHERE event_id = $1 AND ($2::text IS NULL OR status = $2)""";

  static final String CSV_ROWS = """
      SELECT r.id, r.status, r.name, r.email, r.language, r.answers, r.created_at, r.cancelled_at, r.erased_at,
             CASE WHEN r.status = 'waitlisted' THEN
               row_number() OVER (PARTITION BY r.status = 'waitlisted' ORDER BY r.waitlist_seq) END AS position
        FROM registrations r WHERE r.event_id = $1 ORDER BY r.created_at, r.id""";

  static final String ERASE = """
      UPDATE registrations r SET name = NULL, email = NULL, email_key = NULL, answers = NULL, sso_provider = NULL,
                                 sso_subject = NULL, erased_at = now(), updated_at = now()
       WHERE r.id = $1 AND r.event_id = $2 RETURNING foyer_registration_json(r) AS registration""";

  // what a registration holds beyond its API view: the sign-in it was made with, the invite code it used
  static final String ORIGIN = "SELECT sso_provider, sso_subject, invite_code_id FROM registrations WHERE id = $1";

  static final String DELETE_IDEMPOTENCY = "DELETE FROM idempotency_keys WHERE registration_id = $1";

  static final String IDEMPOTENT_ANSWER = """
      SELECT k.fingerprint, k.status_code, k.response, r.status FROM idempotency_keys k
        JOIN registrations r ON r.id = k.registration_id
       WHERE k.event_id = $1 AND k.key = $2""";

  static final String IDEMPOTENCY_KEYS = """
      SELECT key, status_code, created_at FROM idempotency_keys WHERE registration_id = $1 ORDER BY created_at""";

  // invite codes: made in one statement, listed without the codes (only their hashes are kept)
  static final String INSERT_INVITES = """
      INSERT INTO invite_codes (event_id, code_hash, hint, label, uses, created_by)
      SELECT $1, t.code_hash, t.hint, $4, $5, $6 FROM unnest($2::text[], $3::text[]) AS t(code_hash, hint)
      RETURNING *""";

  static final String LIST_INVITES = "SELECT * FROM invite_codes WHERE event_id = $1 ORDER BY id";

  // revoking again changes nothing (the first revocation's time stays), and says so
  static final String REVOKE_INVITE = """
      WITH before AS (SELECT id, revoked_at FROM invite_codes WHERE id = $1 AND event_id = $2 FOR UPDATE)
      UPDATE invite_codes i SET revoked_at = coalesce(i.revoked_at, now()) FROM before WHERE i.id = before.id
      RETURNING i.*, before.revoked_at IS NOT NULL AS already_revoked""";
}
