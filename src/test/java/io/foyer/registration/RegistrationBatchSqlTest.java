package io.foyer.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.store.Migrations;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registration writer's batch statement, called as the writer calls it: the set-based batch answers exactly
 * as the per-command path does, and a place on the waiting list is found without counting the list.
 */
class RegistrationBatchSqlTest {

  private static final String BATCH = "foyer_registration_commands";
  private static final String EACH = "foyer_registration_commands_each";

  private Connection db;

  @BeforeEach
  void connect() throws SQLException {
    String url = TestServices.pgUrl();
    Migrations.migrate(url);
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    db = DriverManager.getConnection(Migrations.jdbcUrl(options), options.getUser(), options.getPassword());
  }

  @AfterEach
  void close() throws SQLException {
    db.close();
  }

  @Test
  void theSetBasedBatchAnswersEveryCommandAsThePerCommandPathDoes() throws SQLException {
    for (long seed = 1; seed <= 6; seed++) {
      int capacity = 3 + (int) seed;
      long viaBatch = createEvent(capacity);
      long viaEach = createEvent(capacity);
      Random random = new Random(seed);
      Map<String, String> idsViaBatch = new HashMap<>();
      Map<String, String> idsViaEach = new HashMap<>();
      for (int round = 0; round < 40; round++) {
        List<JsonObject> commands = randomCommands(random, idsViaBatch.keySet());
        List<JsonObject> batchAnswers = apply(BATCH, viaBatch, commands, idsViaBatch);
        List<JsonObject> eachAnswers = apply(EACH, viaEach, commands, idsViaEach);
        for (int i = 0; i < commands.size(); i++) {
          assertThat(comparable(batchAnswers.get(i)))
              .as("seed %d round %d command %s", seed, round, commands.get(i).encode())
              .isEqualTo(comparable(eachAnswers.get(i)));
        }
        assertThat(seats(viaBatch)).as("seat counters, seed %d round %d", seed, round).isEqualTo(seats(viaEach));
        assertThat(waitingList(viaBatch)).as("waiting list, seed %d round %d", seed, round)
            .isEqualTo(waitingList(viaEach));
      }
    }
  }

  @Test
  void everyRegistrationFitsTheCapacityAndTheWaitingListCountsFromOne() throws SQLException {
    long event = createEvent(10);
    List<JsonObject> commands = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      commands.add(register("seat" + i + "@example.org", null, null));
    }
    List<JsonObject> answers = apply(BATCH, event, commands, new HashMap<>());

    for (int i = 0; i < 25; i++) {
      JsonObject registration = answers.get(i).getJsonObject("registration");
      assertThat(answers.get(i).getString("outcome")).isEqualTo("created");
      assertThat(registration.getString("status")).isEqualTo(i < 10 ? "confirmed" : "waitlisted");
      assertThat(registration.getInteger("waitlistPosition")).isEqualTo(i < 10 ? null : i - 9);
    }
    assertThat(seats(event)).isEqualTo("capacity=10 confirmed=10 waitlisted=15");
  }

  @Test
  void placesOnTheWaitingListMoveUpWhenSomeoneAheadLeavesOrIsPromoted() throws SQLException {
    long event = createEvent(1);
    Map<String, String> ids = new HashMap<>();
    List<JsonObject> commands = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      commands.add(register("w" + i + "@example.org", null, null));
    }
    apply(BATCH, event, commands, ids);
    // w0 holds the seat; w1..w5 wait at places 1..5. w3 leaves the middle of the list, w0 frees the seat.
    apply(BATCH, event, List.of(cancel("w3@example.org")), ids);
    apply(BATCH, event, List.of(cancel("w0@example.org")), ids);

    assertThat(position(event, ids.get("w1@example.org"))).as("promoted").isNull();
    assertThat(position(event, ids.get("w2@example.org"))).isEqualTo(1);
    assertThat(position(event, ids.get("w4@example.org"))).isEqualTo(2);
    assertThat(position(event, ids.get("w5@example.org"))).isEqualTo(3);
    List<JsonObject> late = apply(BATCH, event, List.of(register("w6@example.org", null, null)), ids);
    assertThat(late.get(0).getJsonObject("registration").getInteger("waitlistPosition")).isEqualTo(4);
    assertThat(position(event, ids.get("w6@example.org"))).isEqualTo(4);
  }

  @Test
  void theNextRegistrationWithAHundredThousandWaitingReadsNoMoreThanTheFirst() throws SQLException {
    long empty = createEvent(1);
    long crowded = createEvent(1);
    try (PreparedStatement fill = db.prepareStatement("""
        WITH seat AS (INSERT INTO registrations (event_id, email, email_key, name, language, status)
                      VALUES (?, 'holder@example.org', 'holder@example.org', 'Holder', 'en', 'confirmed')),
             waiting AS (INSERT INTO registrations (event_id, email, email_key, name, language, status, waitlist_seq)
                         SELECT ?, 'q' || g || '@example.org', 'q' || g || '@example.org', 'Q', 'en', 'waitlisted', g
                           FROM generate_series(1, 100000) g)
        UPDATE event_seats SET confirmed = 1, waitlisted = 100000, next_waitlist_seq = 100001 WHERE event_id = ?""")) {
      fill.setLong(1, crowded);
      fill.setLong(2, crowded);
      fill.setLong(3, crowded);
      fill.executeUpdate();
    }
    try (PreparedStatement analyze = db.prepareStatement("ANALYZE registrations")) {
      analyze.execute();
    }
    apply(BATCH, empty, List.of(register("holder@example.org", null, null)), new HashMap<>());

    // warm both paths once, then compare the pages each registration reads
    buffersOfOneRegistration(empty, "warm-first@example.org");
    buffersOfOneRegistration(crowded, "warm-next@example.org");
    long first = buffersOfOneRegistration(empty, "first@example.org");
    long next = buffersOfOneRegistration(crowded, "next@example.org");

    assertThat(next).as("buffers read registering behind 100,000 (the first on the list read %d)", first)
        .isLessThanOrEqualTo(first + 20);
    JsonObject mine = apply(BATCH, crowded, List.of(register("next@example.org", null, null)), new HashMap<>()).get(0);
    assertThat(mine.getString("outcome")).isEqualTo("existing");
    assertThat(mine.getJsonObject("registration").getInteger("waitlistPosition")).isEqualTo(100_002);
  }

  @Test
  void aBatchOfOnlyReplaysAndKnownEmailsChangesNoSeat() throws SQLException {
    long event = createEvent(2);
    Map<String, String> ids = new HashMap<>();
    apply(BATCH, event, List.of(register("a@example.org", "key-a", "fp-a"), register("b@example.org", null, null)),
        ids);
    String before = seats(event);

    List<JsonObject> again = apply(BATCH, event, List.of(register("a@example.org", "key-a", "fp-a"),
        register("a@example.org", "key-a2", "fp-x"), register("b@example.org", null, null),
        register("c@example.org", "key-a", "fp-other")), ids);

    assertThat(again).extracting(answer -> answer.getString("outcome"))
        .containsExactly("replayed", "existing", "existing", "idempotency-key-reused");
    assertThat(seats(event)).isEqualTo(before);
  }

  // ---- commands and their answers ----

  private static List<JsonObject> randomCommands(Random random, java.util.Set<String> known) {
    List<JsonObject> commands = new ArrayList<>();
    int size = 1 + random.nextInt(12);
    for (int i = 0; i < size; i++) {
      String email = "p" + random.nextInt(30) + "@example.org";
      int kind = random.nextInt(10);
      if (kind < 2 && !known.isEmpty()) {
        List<String> emails = new ArrayList<>(known);
        commands.add(cancel(emails.get(random.nextInt(emails.size()))));
      } else if (kind < 5) {
        // a small key space: replays, reuse with another body, two uses in one batch
        String key = "k" + random.nextInt(8);
        commands.add(register(email, key, random.nextInt(4) == 0 ? "fp-other" : "fp-" + email));
      } else {
        commands.add(register(email, null, null));
      }
    }
    return commands;
  }

  private static JsonObject register(String email, String key, String fingerprint) {
    return new JsonObject().put("command", "register").put("email", email).put("emailKey", email)
        .put("name", "Attendee " + email).put("language", "en").put("answers", new JsonObject())
        .put("idempotencyKey", key).put("fingerprint", fingerprint);
  }

  /** A cancellation of the registration of this email (its id is looked up per event when applied). */
  private static JsonObject cancel(String email) {
    return new JsonObject().put("command", "cancel").put("email", email);
  }

  /**
   * Runs the commands against one event through one of the two functions, in the writer's order, and keeps
   * the registration id of each email for later cancellations.
   */
  private List<JsonObject> apply(String function, long event, List<JsonObject> commands, Map<String, String> ids)
      throws SQLException {
    JsonArray ops = new JsonArray();
    for (int i = 0; i < commands.size(); i++) {
      JsonObject op = commands.get(i).copy().put("eventId", event).put("index", i);
      if ("cancel".equals(op.getString("command"))) {
        String id = ids.get((String) op.remove("email"));
        op.put("registrationId", id != null ? id : "00000000-0000-0000-0000-000000000000");
      }
      ops.add(op);
    }
    JsonObject[] answers = new JsonObject[commands.size()];
    try (PreparedStatement statement = db.prepareStatement("SELECT result::text FROM " + function + "(?::jsonb) AS result")) {
      statement.setString(1, ops.encode());
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          JsonObject answer = new JsonObject(rs.getString(1));
          answers[answer.getInteger("index")] = answer;
          JsonObject registration = answer.getJsonObject("registration");
          if (registration != null && registration.getString("email") != null) {
            ids.put(registration.getString("email"), registration.getString("id"));
          }
        }
      }
    }
    return List.of(answers);
  }

  /** What must agree between the two paths (ids and timestamps differ by nature). */
  private static String comparable(JsonObject answer) {
    JsonObject registration = answer.getValue("registration") == null ? new JsonObject()
        : answer.getJsonObject("registration");
    JsonObject promoted = answer.getValue("promoted") == null ? new JsonObject() : answer.getJsonObject("promoted");
    return answer.getString("outcome") + " " + answer.getInteger("statusCode") + " "
        + registration.getString("email") + " " + registration.getString("status") + " "
        + registration.getInteger("waitlistPosition") + " promoted=" + promoted.getString("email");
  }

  // ---- the database's view ----

  private long createEvent(Integer capacity) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement("""
        WITH ev AS (INSERT INTO events (title, starts_at, ends_at, time_zone, default_language, capacity)
                    VALUES ('batch test', now() + interval '1 day', now() + interval '2 days', 'UTC', 'en', ?)
                    RETURNING id, capacity)
        INSERT INTO event_seats (event_id, capacity) SELECT id, capacity FROM ev RETURNING event_id""")) {
      insert.setObject(1, capacity);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private String seats(long event) throws SQLException {
    try (PreparedStatement query = db.prepareStatement("""
        SELECT s.capacity, s.confirmed, s.waitlisted,
               (SELECT count(*) FROM registrations r WHERE r.event_id = s.event_id AND r.status = 'confirmed'),
               (SELECT count(*) FROM registrations r WHERE r.event_id = s.event_id AND r.status = 'waitlisted')
          FROM event_seats s WHERE s.event_id = ?""")) {
      query.setLong(1, event);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(4)).as("confirmed rows = counter").isEqualTo(rs.getLong(2));
        assertThat(rs.getLong(5)).as("waitlisted rows = counter").isEqualTo(rs.getLong(3));
        return "capacity=" + rs.getInt(1) + " confirmed=" + rs.getInt(2) + " waitlisted=" + rs.getInt(3);
      }
    }
  }

  /** Each waiting email with the position the API shows, in order of place. */
  private List<String> waitingList(long event) throws SQLException {
    List<String> list = new ArrayList<>();
    try (PreparedStatement query = db.prepareStatement("""
        SELECT r.email, (foyer_registration_json(r)->>'waitlistPosition')::int FROM registrations r
         WHERE r.event_id = ? AND r.status = 'waitlisted' ORDER BY r.waitlist_seq""")) {
      query.setLong(1, event);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          list.add(rs.getInt(2) + ":" + rs.getString(1));
          assertThat(rs.getInt(2)).as("positions count from 1 without gaps").isEqualTo(list.size());
        }
      }
    }
    return list;
  }

  private Integer position(long event, String registrationId) throws SQLException {
    try (PreparedStatement query = db.prepareStatement("""
        SELECT (foyer_registration_json(r)->>'waitlistPosition')::int FROM registrations r
         WHERE r.event_id = ? AND r.id = ?::uuid""")) {
      query.setLong(1, event);
      query.setString(2, registrationId);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return (Integer) rs.getObject(1);
      }
    }
  }

  /** Shared buffers (hit or read) one registration's batch statement touches, from EXPLAIN (ANALYZE, BUFFERS). */
  private long buffersOfOneRegistration(long event, String email) throws SQLException {
    JsonArray ops = new JsonArray().add(register(email, null, null).put("eventId", event).put("index", 0));
    long buffers = 0;
    try (PreparedStatement explain = db.prepareStatement(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) SELECT * FROM " + BATCH + "(?::jsonb)")) {
      explain.setString(1, ops.encode());
      try (ResultSet rs = explain.executeQuery()) {
        Pattern shared = Pattern.compile("Buffers: shared (?:hit=(\\d+))?\\s*(?:read=(\\d+))?");
        while (rs.next()) {
          Matcher m = shared.matcher(rs.getString(1));
          if (m.find()) {
            buffers = Math.max(buffers, (m.group(1) == null ? 0 : Long.parseLong(m.group(1)))
                + (m.group(2) == null ? 0 : Long.parseLong(m.group(2))));
          }
        }
      }
    }
    return buffers;
  }
}
