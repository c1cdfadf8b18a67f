package io.foyer.cli;

import io.foyer.config.FoyerConfig;
import io.foyer.store.EmbeddedPostgres;
import io.foyer.store.Migrations;
import io.foyer.store.RegionalStores;
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
    // every region's database has the same schema; the node's own region may be the embedded one
    for (var region : loaded.regions().pgUrls().entrySet()) {
      if (!region.getKey().equals(loaded.node().region())) {
        migrate(region.getValue(), " (region " + region.getKey() + ")");
      }
    }
    FoyerConfig.PgConfig own = RegionalStores.ownDatabase(loaded);
    if (!own.embedded()) {
      migrate(own.url(), "");
      return 0;
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(own.embeddedDataDir(), own.embeddedPort())) {
      report(Migrations.migrate(pg.url()), "embedded PostgreSQL in " + pg.dataDir());
    }
    return 0;
  }

  private static void migrate(String url, String region) {
    report(Migrations.migrate(url), "PostgreSQL at " + url.replaceAll(":[^:@/]*@", "@") + region);
  }

  private static void report(int applied, String where) {
    System.out.println("foyer: " + applied + " migration(s) applied to " + where + "; schema is up to date");
  }
}
