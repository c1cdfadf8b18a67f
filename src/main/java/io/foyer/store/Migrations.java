package io.foyer.store;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/** Flyway schema migrations from classpath:db/migration. Blocking (JDBC): run on a worker thread. */
public final class Migrations {

  private Migrations() {}

  /** Brings the schema of the database at pgUrl up to date and returns how many migrations ran. */
  public static int migrate(String pgUrl) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    try {
      MigrateResult result = Flyway.configure()
          .dataSource(jdbcUrl(options), options.getUser(), options.getPassword())
          .locations("classpath:db/migration")
          .load()
          .migrate();
      return result.migrationsExecuted;
    } catch (FlywayException e) {
      // Flyway's own message spans several lines; the root cause says what the operator must fix
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new IllegalStateException("schema migration failed on PostgreSQL at " + options.getHost() + ":"
          + options.getPort() + "/" + options.getDatabase() + ": " + root.getMessage(), e);
    }
  }

  /** The JDBC form of a database's address (user and password travel apart), for the blocking tools. */
  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
