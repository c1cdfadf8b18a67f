package io.foyer.gateway;

/** Every SQL statement of the gateway: the announcements it stores for snapshots. */
final class GatewaySql {

  private GatewaySql() {}

  static final String INSERT_ANNOUNCEMENT = """
      INSERT INTO announcements (event_id, session_id, registration_id, topic, title, body, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";

  static final String SET_ANNOUNCEMENT_SEQUENCE = "UPDATE announcements SET sequence = $2 WHERE id = $1";

  static final String LATEST_ANNOUNCEMENTS = """
      SELECT id, sequence, title, body, created_at FROM announcements WHERE topic = $1 ORDER BY id DESC LIMIT $2""";
}
