package io.foyer.gateway;

/** Every SQL statement of the gateway: the announcements it stores for snapshots. */
final class GatewaySql {

  private GatewaySql() {}

  /** Without an Idempotency-Key: always a new row. */
  static final String INSERT_ANNOUNCEMENT = """
      INSERT INTO announcements (event_id, session_id, registration_id, topic, title, body, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";

  /** With an Idempotency-Key: a new row, or none (no id returned) when the key was already used in the event. */
  static final String INSERT_KEYED_ANNOUNCEMENT = """
      INSERT INTO announcements (event_id, session_id, registration_id, topic, title, body, created_by,
        idempotency_key, fingerprint)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (event_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id""";

  /**
   * The announcement stored under an Idempotency-Key, locked until the end of the transaction: whoever holds
   * it publishes an unpublished announcement, and a concurrent retry waits and then sees its sequence.
   */
  static final String LOCK_KEYED_ANNOUNCEMENT = """
      SELECT id, topic, sequence, title, body, fingerprint FROM announcements
      WHERE event_id = $1 AND idempotency_key = $2 FOR UPDATE""";

  static final String SET_ANNOUNCEMENT_SEQUENCE = "UPDATE announcements SET sequence = $2 WHERE id = $1";

  /** A reset's snapshot: the latest published announcements of a topic up to the reset's sequence number. */
  static final String LATEST_ANNOUNCEMENTS = """
      SELECT id, sequence, title, body, created_at FROM announcements
      WHERE topic = $1 AND sequence IS NOT NULL AND sequence <= $2 ORDER BY sequence DESC LIMIT $3""";
}
