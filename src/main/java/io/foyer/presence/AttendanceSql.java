package io.foyer.presence;

/** Every SQL statement of attendance: stays written in batches, a dead node's stays closed, reports. */
final class AttendanceSql {

  private AttendanceSql() {}

  static final String JOINS = """
      INSERT INTO attendance (session_id, registration_id, connection_id, joined_at, node_id)
      SELECT s, r, c, j, $5 FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::timestamptz[]) AS x(s, r, c, j)
      ON CONFLICT DO NOTHING""";

  static final String LEAVES = """
      UPDATE attendance a SET left_at = x.left_at
        FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS x(session_id, connection_id, left_at)
       WHERE a.session_id = x.session_id AND a.connection_id = x.connection_id AND a.left_at IS NULL""";

  static final String CLOSE_NODE_STAYS = """
      UPDATE attendance SET left_at = greatest(joined_at, $2) WHERE node_id = $1 AND left_at IS NULL""";

  static final String MERGED = """
      WITH stays AS (
        SELECT registration_id, joined_at, COALESCE(left_at, now()) AS left_at
          FROM attendance WHERE session_id = $1),
      ordered AS (
        SELECT *, max(left_at) OVER (PARTITION BY registration_id ORDER BY joined_at
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
          FROM stays),
      islands AS (
        SELECT *, sum(CASE WHEN previous_end IS NULL OR joined_at > previous_end THEN 1 ELSE 0 END)
                    OVER (PARTITION BY registration_id ORDER BY joined_at) AS island
          FROM ordered),
      merged AS (
        SELECT registration_id, min(joined_at) AS joined_at, max(left_at) AS left_at
          FROM islands GROUP BY registration_id, island)
      """;

  static final String SUMMARY = MERGED + """
      , edges AS (
        SELECT joined_at AS at, 1 AS delta FROM merged UNION ALL SELECT left_at, -1 FROM merged),
      running AS (
        SELECT sum(delta) OVER (ORDER BY at, delta) AS present FROM edges)
      SELECT (SELECT count(DISTINCT registration_id) FROM merged) AS unique_attendees,
             (SELECT COALESCE(max(present), 0) FROM running) AS peak_concurrent,
             (SELECT COALESCE(sum(extract(epoch FROM left_at - joined_at)), 0) FROM merged) AS total_seconds""";

  static final String PER_ATTENDEE = MERGED + """
      SELECT m.registration_id, r.name, r.email, min(m.joined_at) AS first_joined, max(m.left_at) AS last_left,
             sum(extract(epoch FROM m.left_at - m.joined_at)) AS seconds
        FROM merged m JOIN registrations r ON r.id = m.registration_id
       GROUP BY m.registration_id, r.name, r.email ORDER BY first_joined""";
}
