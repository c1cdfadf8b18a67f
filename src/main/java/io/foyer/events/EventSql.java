package io.foyer.events;

/** Every SQL statement of the events capability. */
final class EventSql {

  private EventSql() {}

  static final String INSERT_EVENT = """
      INSERT INTO events (title, description, starts_at, ends_at, time_zone, default_language, capacity,
                          registration_opens_at, registration_closes_at, fields, registration_mode, home_region, id)
      OVERRIDING SYSTEM VALUE
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
              -- an id allocated across regions, else the table's own sequence as always
              COALESCE($13::BIGINT, nextval(pg_get_serial_sequence('events', 'id')))) RETURNING *""";

  static final String INSERT_SEATS = "INSERT INTO event_seats (event_id, capacity) VALUES ($1, $2)";

  static final String SESSION_EVENT = "SELECT event_id FROM sessions WHERE id = $1";

  static final String SELECT_EVENT = "SELECT * FROM events WHERE id = $1";

  // NO KEY UPDATE: registrations inserting rows that reference the event only need a key-share lock, so they
  // never wait on (or deadlock with) an organizer's change
  static final String LOCK_EVENT = "SELECT * FROM events WHERE id = $1 FOR NO KEY UPDATE";

  static final String UPDATE_EVENT = """
      UPDATE events SET title = $2, description = $3, starts_at = $4, ends_at = $5, time_zone = $6,
                        default_language = $7, capacity = $8, registration_opens_at = $9,
                        registration_closes_at = $10, fields = $11, registration_mode = $12, updated_at = now()
       WHERE id = $1 RETURNING *""";

  static final String SET_CAPACITY = "SELECT foyer_set_capacity($1, $2) AS promoted";

  static final String LIST_EVENTS = "SELECT * FROM events ORDER BY starts_at, id LIMIT 1000";

  static final String SEATS = """
      SELECT s.capacity, s.confirmed, s.waitlisted,
             (SELECT count(*) FROM registrations r WHERE r.event_id = s.event_id AND r.status = 'cancelled')
               AS cancelled
        FROM event_seats s WHERE s.event_id = $1""";

  static final String INSERT_SESSION = """
      INSERT INTO sessions (event_id, title, description, track, room, stream_url, starts_at, ends_at, language,
                            capacity, id)
      OVERRIDING SYSTEM VALUE
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
              COALESCE($11::BIGINT, nextval(pg_get_serial_sequence('sessions', 'id')))) RETURNING *""";

  static final String SELECT_SESSION = "SELECT * FROM sessions WHERE id = $1 AND event_id = $2";

  static final String LOCK_SESSION = "SELECT * FROM sessions WHERE id = $1 AND event_id = $2 FOR UPDATE";

  static final String UPDATE_SESSION = """
      UPDATE sessions SET title = $3, description = $4, track = $5, room = $6, stream_url = $7, starts_at = $8,
                          ends_at = $9, language = $10, capacity = $11, updated_at = now()
       WHERE id = $1 AND event_id = $2 RETURNING *""";

  static final String LIST_SESSIONS = "SELECT * FROM sessions WHERE event_id = $1 ORDER BY starts_at, id";
}
