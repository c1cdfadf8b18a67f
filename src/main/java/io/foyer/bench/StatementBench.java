package io.foyer.bench;

import io.foyer.store.Migrations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `foyer bench statement`: what one batch of registrations costs PostgreSQL, timed around the registration
 * writer's statement alone (no HTTP, no Vert.x), each batch in its own transaction as the writer runs it. The
 * data is the same on every run (emails numbered from 1), so two schemas or two functions compare row for row.
 */
@Command(name = "statement", mixinStandardHelpOptions = true,
    description = "PostgreSQL time per registration of the registration writer's batch statement.")
public final class StatementBench implements Callable<Integer> {

  @Option(names = "--pg-url", paramLabel = "URL", defaultValue = "${env:FOYER_PG_URL}",
      description = "PostgreSQL to measure on, e.g. postgresql://postgres@127.0.0.1:5432/bench "
          + "(default: FOYER_PG_URL); use a scratch database: the bench adds events and registrations")
  String pgUrl;

  @Option(names = "--rows", defaultValue = "100", description = "Registrations per batch (default: ${DEFAULT-VALUE})")
  int rows;

  @Option(names = "--batches", defaultValue = "50", description = "Batches timed (default: ${DEFAULT-VALUE})")
  int batches;

  @Option(names = "--capacity", description = "Seats of the event (default: none); a full event puts every "
      + "further registration on its waiting list")
  Integer capacity;

  @Option(names = "--prefill", defaultValue = "0",
      description = "Registrations written (untimed) before the timed batches (default: ${DEFAULT-VALUE})")
  int prefill;

  @Option(names = "--function", defaultValue = "foyer_registration_commands",
      description = "SQL function taking the batch as JSONB (default: ${DEFAULT-VALUE})")
  String function;

  @Option(names = "--no-migrate", description = "Measure the schema as it is (e.g. one migrated by an older build)")
  boolean noMigrate;

  @Override
  public Integer call() throws Exception {
    if (pgUrl == null || pgUrl.isBlank()) {
      System.err.println("foyer bench statement: give --pg-url or set FOYER_PG_URL (a scratch database)");
      return 2;
    }
    if (!function.matches("[a-z_][a-z0-9_]*")) {
      System.err.println("foyer bench statement: --function must be a plain SQL function name");
      return 2;
    }
    if (!noMigrate) {
      Migrations.migrate(pgUrl);
    }
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    try (Connection db = DriverManager.getConnection(Migrations.jdbcUrl(options), options.getUser(),
        options.getPassword())) {
      long eventId = createEvent(db);
      String call = "SELECT count(*) FROM " + function + "(?::jsonb)";
      try (PreparedStatement statement = db.prepareStatement(call)) {
        int next = 0;
        for (int done = 0; done < prefill; done += rows) {
          int count = Math.min(rows, prefill - done);
          run(statement, batch(eventId, next, count), count);
          next += count;
        }
        long[] micros = new long[batches];
        for (int b = 0; b < batches; b++) {
          String ops = batch(eventId, next, rows);
          next += rows;
          long start = System.nanoTime();
          run(statement, ops, rows);
          micros[b] = (System.nanoTime() - start) / 1_000;
        }
        Arrays.sort(micros);
        long total = Arrays.stream(micros).sum();
        System.out.printf("%s: %d batches of %d rows%s%s: median %.1f µs per row (batch median %.2f ms, "
                + "fastest %.2f ms, slowest %.2f ms), overall %.1f µs per row%n",
            function, batches, rows, capacity == null ? "" : ", capacity " + capacity,
            prefill == 0 ? "" : ", after " + prefill + " rows", micros[batches / 2] / (double) rows,
            micros[batches / 2] / 1000.0, micros[0] / 1000.0, micros[batches - 1] / 1000.0,
            total / (double) (batches * rows));
      }
    }
    return 0;
  }

  private long createEvent(Connection db) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement("""
        INSERT INTO events (title, starts_at, ends_at, time_zone, default_language, capacity)
        VALUES ('foyer bench statement', now() + interval '1 day', now() + interval '2 days', 'UTC', 'en', ?)
        RETURNING id""")) {
      insert.setObject(1, capacity);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        long id = rs.getLong(1);
        try (PreparedStatement seats = db.prepareStatement("INSERT INTO event_seats (event_id, capacity) VALUES (?, ?)")) {
          seats.setLong(1, id);
          seats.setObject(2, capacity);
          seats.executeUpdate();
        }
        return id;
      }
    }
  }

  /** The commands the registration writer would send for these attendees (see RegistrationRequest). */
  private static String batch(long eventId, int first, int count) {
    JsonArray ops = new JsonArray();
    for (int i = 0; i < count; i++) {
      String email = "attendee-" + (first + i) + "@bench.example";
      ops.add(new JsonObject().put("command", "register").put("eventId", eventId).put("email", email)
          .put("emailKey", email).put("name", "Attendee " + (first + i)).put("language", "en")
          .put("answers", new JsonObject()).put("idempotencyKey", null).put("fingerprint", null).put("index", i));
    }
    return ops.encode();
  }

  private static void run(PreparedStatement statement, String ops, int count) throws SQLException {
    statement.setString(1, ops);
    try (ResultSet rs = statement.executeQuery()) {
      rs.next();
      if (rs.getLong(1) != count) {
        throw new IllegalStateException("the statement returned a result count other than the batch size");
      }
    }
  }
}
