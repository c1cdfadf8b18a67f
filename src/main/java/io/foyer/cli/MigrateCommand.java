package io.foyer.cli;

import io.foyer.config.FoyerConfig;
import io.foyer.store.EmbeddedPostgres;
import io.foyer.store.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Applies pending schema migrations and exits; the server also does this at every start. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply pending database migrations to the configured PostgreSQL (or the embedded one) and exit.")
public final class MigrateCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws Exception {
    FoyerConfig loaded = config.load();
    if (!loaded.pg().embedded()) {
      report(Migrations.migrate(loaded.pg().url()), "PostgreSQL at " + loaded.pg().url().replaceAll(":[^:@/]*@", "@"));
      return 0;
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(loaded.pg().embeddedDataDir(), loaded.pg().embeddedPort())) {
      report(Migrations.migrate(pg.url()), "embedded PostgreSQL in " + pg.dataDir());
    }
    return 0;
  }

  private static void report(int applied, String where) {
    System.out.println("foyer: " + applied + " migration(s) applied to " + where + "; schema is up to date");
  }
}
