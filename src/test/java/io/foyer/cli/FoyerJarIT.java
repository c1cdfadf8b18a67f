package io.foyer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The packaged jar, run the way a user runs it: `java -jar target/foyer.jar`. */
class FoyerJarIT {

  private static final Path JAR = Path.of("target", "foyer.jar");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<Process> running = new ArrayList<>();
  private final Map<Process, Path> outputs = new HashMap<>();

  @AfterEach
  void stopProcesses() throws Exception {
    for (Process process : running) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void aPortThatIsNotANumberStopsStartUpWithOneClearLine() throws Exception {
    Process process = foyer(Map.of("FOYER_HTTP_PORT", "abc"));

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    List<String> errors = Files.readAllLines(errFile(process));
    assertThat(errors).containsExactly("foyer: invalid configuration: http.port (environment FOYER_HTTP_PORT) = "
        + "\"abc\": must be a whole number from 0 to 65535");
  }

  @Test
  void anUnreachableDatabaseStopsStartUpWithOneLineAndExitCode1() throws Exception {
    int closedPort = TestServices.freePort();
    Process process = foyer(Map.of("FOYER_PG_URL", "postgresql://postgres@127.0.0.1:" + closedPort + "/foyer",
        "FOYER_HTTP_PORT", Integer.toString(TestServices.freePort())));

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    List<String> errors = Files.readAllLines(errFile(process));
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).startsWith("foyer: could not start: schema migration failed on PostgreSQL at 127.0.0.1:"
        + closedPort + "/foyer").contains("refused");
  }

  @Test
  void versionAndHelpDescribeTheCommands() throws Exception {
    Process version = foyer(Map.of(), "--version");
    Process help = foyer(Map.of(), "--help");
    version.waitFor(30, TimeUnit.SECONDS);
    help.waitFor(30, TimeUnit.SECONDS);

    assertThat(Files.readString(outFile(version)).trim()).matches("foyer \\d+\\.\\d+\\.\\d+.*");
    assertThat(Files.readString(outFile(help))).contains("run").contains("migrate").contains("--config");
  }

  @Test
  void theEmbeddedDefaultIsReadyWithin30SecondsAndKeepsItsDataAcrossARestart() throws Exception {
    Path data = Path.of("target", "it-data-" + System.nanoTime());
    int pgPort = TestServices.freePort();
    Map<String, String> env = Map.of("FOYER_DATA_DIR", data.toString(),
        "FOYER_PG_EMBEDDED_DATA_DIR", data.resolve("postgres").toString(),
        "FOYER_PG_EMBEDDED_PORT", Integer.toString(pgPort), "FOYER_HTTP_PORT", Integer.toString(TestServices.freePort()));

    Process first = foyer(env, "run");
    JsonObject ready = awaitReady(env, first);
    assertThat(ready.encode()).contains("\"postgres\"").contains("\"live-memory\"");
    String firstOutput = Files.readString(outFile(first));
    assertThat(firstOutput).contains("embedded PostgreSQL").contains("LiveState: memory");
    String key = Files.readAllLines(data.resolve("organizer-keys")).get(1).split(":")[1];
    assertThat(firstOutput).as("the generated organizer key is shown on first start").contains(key);
    stop(first);

    Process second = foyer(env, "run");
    awaitReady(env, second);
    assertThat(Files.readString(outFile(second))).as("and only then").doesNotContain(key);
    try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/foyer", "postgres", "");
         ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM node_starts")) {
      rs.next();
      assertThat(rs.getLong(1)).as("starts recorded in the kept data").isEqualTo(2);
    }
  }

  @Test
  void configuredPostgresAndRedisAreUsedAndJsonLogsAreOneObjectPerLine() throws Exception {
    Map<String, String> env = Map.of("FOYER_PG_URL", TestServices.pgUrl(), "FOYER_REDIS_URL", TestServices.redisUrl(),
        "FOYER_HTTP_PORT", Integer.toString(TestServices.freePort()), "FOYER_LOG_FORMAT", "json",
        "FOYER_DATA_DIR", "target/it-data-" + System.nanoTime());

    Process process = foyer(env);
    JsonObject ready = awaitReady(env, process);

    assertThat(ready.encode()).contains("\"live-redis\"");
    List<String> lines = Files.readAllLines(outFile(process)).stream().filter(l -> !l.isBlank()).toList();
    assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(new JsonObject(line).getString("level")).isNotNull());
    assertThat(String.join("\n", lines)).contains("Store: PostgreSQL at").contains("LiveState: redis");
  }

  @Test
  void migrateBringsTheSchemaUpToDateAndExits() throws Exception {
    Process process = foyer(Map.of("FOYER_PG_URL", TestServices.pgUrl()), "migrate");

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(Files.readString(outFile(process))).contains("schema is up to date");
  }

  private JsonObject awaitReady(Map<String, String> env, Process process) {
    URI uri = URI.create("http://127.0.0.1:" + env.get("FOYER_HTTP_PORT") + "/health/ready");
    JsonObject[] body = new JsonObject[1];
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
      assertThat(process.isAlive()).as("foyer exited early: " + Files.readString(errFile(process))).isTrue();
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        body[0] = new JsonObject(response.body());
        return response.statusCode() == 200 && "UP".equals(body[0].getString("status"));
      } catch (IOException e) {
        return false;
      }
    });
    return body[0];
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy(); // SIGTERM: the node drains and stops its embedded PostgreSQL
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private Process foyer(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    String name = "foyer-" + System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(logs.resolve(name + ".out").toFile())
        .redirectError(logs.resolve(name + ".err").toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("FOYER_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    outputs.put(process, logs.resolve(name));
    running.add(process);
    return process;
  }

  private Path outFile(Process process) {
    return Path.of(outputs.get(process) + ".out");
  }

  private Path errFile(Process process) {
    return Path.of(outputs.get(process) + ".err");
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
