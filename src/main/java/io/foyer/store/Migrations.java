package io.foyer.store;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Flyway schema migrations from classpath:db/migration. Blocking (JDBC): run on a worker thread. */
public final class Migrations {

  private Migrations() {}

  /** Brings the schema of the database at pgUrl up to date and returns how many migrations ran. */
  public static int migrate(String pgUrl) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    MigrateResult result = Flyway.configure()
        .dataSource(jdbcUrl, options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    return result.migrationsExecuted;
  }
}
