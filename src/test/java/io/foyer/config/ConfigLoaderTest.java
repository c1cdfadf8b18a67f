package io.foyer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.config.FoyerConfig.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void defaultsGiveASingleNodeOnEmbeddedPostgresAndTheMemoryEngine() {
    FoyerConfig config = ConfigLoader.load(null, Map.of());

    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.pg().embedded()).isTrue();
    assertThat(config.pg().embeddedDataDir()).isEqualTo(Path.of("./data/postgres"));
    assertThat(config.live().engine()).isEqualTo(Engine.MEMORY);
    assertThat(config.cluster().enabled()).isFalse();
    assertThat(config.writer().linger()).isEqualTo(Duration.ofMillis(2));
    assertThat(config.writer().maxExpectedWait()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void environmentOverridesTheFileWhichOverridesTheDefaults() throws IOException {
    Path file = write("http:\n  port: 9000\n  instances: 3\nnode:\n  region: eu-west\n");

    FoyerConfig config = ConfigLoader.load(file, Map.of(
        "FOYER_HTTP_PORT", "9100",
        "FOYER_PG_URL", "postgresql://postgres@127.0.0.1:5432/test",
        "FOYER_PG_POOL_SIZE", "4",
        "FOYER_REDIS_URL", "redis://127.0.0.1:6379"));

    assertThat(config.http().port()).isEqualTo(9100);
    assertThat(config.http().instances()).isEqualTo(3);
    assertThat(config.node().region()).isEqualTo("eu-west");
    assertThat(config.pg().embedded()).isFalse();
    assertThat(config.pg().poolSize()).isEqualTo(4);
    assertThat(config.live().engine()).as("auto picks redis once a URL is given").isEqualTo(Engine.REDIS);
    assertThat(config.sources()).contains(file.toString()).contains("environment");
  }

  @Test
  void aPortThatIsNotANumberFailsWithOneLineNamingTheKeyAndTheVariable() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_HTTP_PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: http.port (environment FOYER_HTTP_PORT) = \"abc\": "
            + "must be a whole number from 0 to 65535");
  }

  @Test
  void aBadValueInTheFileNamesTheFile() throws IOException {
    Path file = write("log:\n  format: xml\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("log.format (" + file + ") = \"xml\": must be one of text, json");
  }

  @Test
  void theWriterWaitBoundIsOffAtZeroAndNeverNegative() {
    assertThat(ConfigLoader.load(null, Map.of("FOYER_WRITER_MAX_EXPECTED_WAIT_MILLIS", "0")).writer()
        .maxExpectedWait()).isZero();
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_WRITER_MAX_EXPECTED_WAIT_MILLIS", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("writer.maxExpectedWaitMillis (environment FOYER_WRITER_MAX_EXPECTED_WAIT_MILLIS)");
  }

  @Test
  void anUnknownKeyIsRefusedSoTyposDoNotPassSilently() throws IOException {
    Path file = write("http:\n  prot: 9000\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key http.prot");
  }

  @Test
  void aFileThatIsNotYamlIsRefusedWithItsLine() throws IOException {
    Path file = write("http:\n  port: [9000\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not valid YAML");
  }

  @Test
  void aMissingConfigFileIsRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void clusteringWithoutRedisIsRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_ENABLED", "true")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.enabled")
        .hasMessageContaining("FOYER_REDIS_URL");
  }

  @Test
  void clusteringWithTheMemoryEngineIsRefusedEvenWithRedis() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_ENABLED", "true",
        "FOYER_REDIS_URL", "redis://127.0.0.1:6379", "FOYER_LIVE_ENGINE", "memory")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.enabled");
  }

  @Test
  void pushesOverRedisNeedTheRedisEngine() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_PUSHES", "redis")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.pushes")
        .hasMessageContaining("FOYER_REDIS_URL");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_PUSHES", "pigeons")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be one of bus, redis");

    assertThat(ConfigLoader.load(null, Map.of("FOYER_CLUSTER_PUSHES", "redis", "FOYER_REDIS_URL",
        "redis://127.0.0.1:6379")).cluster().pushes()).isEqualTo(FoyerConfig.Pushes.REDIS);
  }

  @Test
  void clusterMembersMustBeHostAndPort() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_MEMBERS", "127.0.0.1:5701,localhost")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'localhost' is not host:port");

    FoyerConfig config = ConfigLoader.load(null, Map.of("FOYER_CLUSTER_ENABLED", "yes",
        "FOYER_REDIS_URL", "redis://127.0.0.1:6379", "FOYER_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701",
        "FOYER_AUTH_API_KEYS", "ops:0123456789abcdef:*", "FOYER_AUTH_TOKEN_SECRET", "x".repeat(32),
        "FOYER_CLUSTER_SECRET", "cluster-secret-0123456789"));
    assertThat(config.cluster().enabled()).isTrue();
    assertThat(config.cluster().members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
  }

  @Test
  void aClusterNeedsSharedKeysBecauseGeneratedOnesWouldDifferPerNode() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_ENABLED", "true",
        "FOYER_REDIS_URL", "redis://127.0.0.1:6379")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FOYER_AUTH_API_KEYS")
        .hasMessageContaining("FOYER_AUTH_TOKEN_SECRET");
  }

  @Test
  void aClusterNeedsASecretAndTheBusTlsAllThreeFilesOrNone(@TempDir Path pem) throws IOException {
    Map<String, String> cluster = Map.of("FOYER_CLUSTER_ENABLED", "true", "FOYER_REDIS_URL", "redis://127.0.0.1:6379",
        "FOYER_AUTH_API_KEYS", "ops:0123456789abcdef:*", "FOYER_AUTH_TOKEN_SECRET", "x".repeat(32),
        "FOYER_CLUSTER_SECRET", "too-short");
    assertThatThrownBy(() -> ConfigLoader.load(null, cluster))
        .hasMessageContaining("cluster.secret").hasMessageContaining("(hidden)").hasMessageNotContaining("too-short");
    Path cert = Files.writeString(pem.resolve("node.pem"), "-----BEGIN CERTIFICATE-----\n");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_BUS_TLS_CERT_PATH", cert.toString())))
        .hasMessageContaining("all three");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_CLUSTER_BUS_TLS_CERT_PATH", cert.toString(),
        "FOYER_CLUSTER_BUS_TLS_KEY_PATH", pem.resolve("absent.pem").toString(),
        "FOYER_CLUSTER_BUS_TLS_CA_PATH", cert.toString())))
        .hasMessageContaining("cluster.busTlsKeyPath").hasMessageContaining("readable PEM file");
  }

  @Test
  void apiKeysAreParsedWithTheirScopes() {
    FoyerConfig config = ConfigLoader.load(null, Map.of("FOYER_AUTH_API_KEYS",
        "ops:0123456789abcdef:*, webinar-7:fedcba9876543210:7"));

    assertThat(config.auth().apiKeys()).containsExactly(
        new FoyerConfig.ApiKey("ops", "0123456789abcdef", null),
        new FoyerConfig.ApiKey("webinar-7", "fedcba9876543210", 7L));
  }

  @Test
  void aBadApiKeyIsRefusedWithoutPrintingTheSecret() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_AUTH_API_KEYS", "ops:short-secret:*")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.apiKeys (environment FOYER_AUTH_API_KEYS) = (hidden)")
        .hasMessageNotContaining("short-secret");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_AUTH_TOKEN_SECRET", "too-short")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("at least 32 characters")
        .hasMessageNotContaining("too-short");
  }

  @Test
  void theRedisEngineNeedsARedisUrl() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_LIVE_ENGINE", "redis")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("live.engine");
  }

  @Test
  void urlsMustHaveTheirSchemeAndHost() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_PG_URL", "mysql://db:3306/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pg.url");
  }

  @Test
  void everyKeyHasAnEnvironmentVariableInUpperSnakeCase() {
    assertThat(RawSettings.envName("http.port")).isEqualTo("FOYER_HTTP_PORT");
    assertThat(RawSettings.envName("pg.poolSize")).isEqualTo("FOYER_PG_POOL_SIZE");
    assertThat(RawSettings.envName("live.historyMaxAgeSeconds")).isEqualTo("FOYER_LIVE_HISTORY_MAX_AGE_SECONDS");
  }

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("foyer.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
