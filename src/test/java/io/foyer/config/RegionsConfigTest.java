package io.foyer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.store.RegionalStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** regions.<name>.pgUrl: from files and from FOYER_REGIONS_<NAME>_PG_URL, refused with one line naming the key. */
class RegionsConfigTest {

  private static final String EU_DB = "postgresql://foyer@db.eu-west.example:5432/foyer";
  private static final String US_DB = "postgresql://foyer@db.us-east.example:5432/foyer";

  @TempDir
  Path dir;

  @Test
  void noRegionsMeansOneDatabaseAsBefore() {
    FoyerConfig config = ConfigLoader.load(null, Map.of());

    assertThat(config.regions().configured()).isFalse();
    assertThat(RegionalStores.ownDatabase(config)).isEqualTo(config.pg());
  }

  @Test
  void regionsComeFromFileSectionsAndTheEnvironmentWithDashesAsUnderscores() throws IOException {
    Path file = write("node:\n  region: eu-west\nregions:\n  eu-west:\n    pgUrl: " + EU_DB + "\n");

    FoyerConfig config = ConfigLoader.load(file, Map.of("FOYER_REGIONS_US_EAST_PG_URL", US_DB,
        "FOYER_PG_URL", "postgresql://foyer@elsewhere:5432/foyer"));

    assertThat(config.regions().pgUrls()).containsExactly(Map.entry("eu-west", EU_DB), Map.entry("us-east", US_DB));
    assertThat(RegionalStores.ownDatabase(config).url()).as("a listed own region wins over pg.url").isEqualTo(EU_DB);
  }

  @Test
  void theEnvironmentOverridesARegionOfTheFile() throws IOException {
    Path file = write("regions:\n  eu-west:\n    pgUrl: " + US_DB + "\n");

    FoyerConfig config = ConfigLoader.load(file, Map.of("FOYER_REGIONS_EU_WEST_PG_URL", EU_DB));

    assertThat(config.regions().pgUrls()).containsExactly(Map.entry("eu-west", EU_DB));
    assertThat(RegionalStores.ownDatabase(config).url()).as("the node's region (local) is not listed: pg.url")
        .isEmpty();
  }

  @Test
  void aBadUrlAWrongKeyOrABadNameIsRefusedNamingIt() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_REGIONS_EU_WEST_PG_URL", "mysql://db/foyer")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: regions.eu-west.pgUrl (environment "
            + "FOYER_REGIONS_EU_WEST_PG_URL) = \"mysql://db/foyer\": must be empty or a URI like postgresql://");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_REGIONS_EU_WEST_URL", EU_DB)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FOYER_REGIONS_EU_WEST_URL is not FOYER_REGIONS_<NAME>_PG_URL");
    Path wrongKey = write("regions:\n  eu-west:\n    url: " + EU_DB + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(wrongKey, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("regions.eu-west.url in " + wrongKey + " is not regions.<name>.pgUrl");
    Path badName = write("regions:\n  EU_West:\n    pgUrl: " + EU_DB + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(badName, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("regions.EU_West.pgUrl in " + badName);
    Path empty = write("regions:\n  eu-west:\n    pgUrl: \"\"\n");
    assertThatThrownBy(() -> ConfigLoader.load(empty, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("regions.eu-west.pgUrl (" + empty + ") = \"\": is required for a region");
  }

  @Test
  void withRegionsTheNodesRegionMustBeARegionName() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_REGIONS_EU_WEST_PG_URL", EU_DB,
        "FOYER_NODE_REGION", "Europe West")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: node.region (environment FOYER_NODE_REGION) = \"Europe West\"");
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "foyer", ".yaml"), yaml);
  }
}
