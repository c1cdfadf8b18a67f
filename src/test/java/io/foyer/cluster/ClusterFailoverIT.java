package io.foyer.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.foyer.testing.NodeJs;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The failover drill of docs/operations.md ("A three-node cluster on one machine"), run the way operators run it:
 * `scripts/cluster.sh up` (three JVMs, clustered, behind HAProxy), then, through the balancer only, the reconnect
 * soak (real WebSockets with attendee tokens) and registrations with Idempotency-Keys retried on failure, while
 * (1) the node driving the lobby's lines is SIGKILLed and started again (another node takes the lease within
 * seconds; the others log that it left), and (2) every node is restarted in turn (`cluster.sh restart n`: drain,
 * SIGTERM, start, ready). Every announcement reaches every client once, in order; every registration attempted
 * is acknowledged in the end, and is in the database exactly once.
 *
 * <p>Size: 150 clients, 300 announcements while a node is killed and 900 during the rolling restart, at 15 a
 * second (about 2 minutes in all). A longer drill: {@code -Dfoyer.clusterIt.clients=1000
 * -Dfoyer.clusterIt.announcements=1200 -Dfoyer.clusterIt.rate=20} (or FOYER_CLUSTER_IT_CLIENTS, ..._ANNOUNCEMENTS,
 * ..._RATE). Needs haproxy, socat and Node 20.10+: skipped with one line without them, except in CI (CI=true).
 */
class ClusterFailoverIT {

  private static final Path SCRIPT = Path.of("scripts", "cluster.sh");
  private static final Path RUN = Path.of("target", "cluster-it");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, String> env = new HashMap<>();
  private final String apiKey = HexFormat.of().formatHex(randomBytes(16));
  private int lbPort;

  @Test
  void killedAndRestartedNodesLoseNoAnnouncementAndNoRegistration() throws Exception {
    requireTools();
    int clients = setting("clients", 150);
    int announcements = setting("announcements", 300);
    int rate = setting("rate", 15);
    long began = System.nanoTime();
    configure();
    List<String> report = new ArrayList<>();
    Registrations registrations = null;
    Process soak = null;
    try {
      Result up = cluster(Duration.ofMinutes(3), "up");
      assertThat(up.code()).as("cluster.sh up: " + up.output()).isZero();
      report.add(String.format("up in %d s", up.seconds()));
      long eventId = createEvent();
      registrations = new Registrations(eventId);

      // 1. a crash: the node that drives the lobby's lines SIGKILLed under load, then started again
      registrations.start(4);
      soak = soak(clients, announcements, rate, "soak-kill");
      Thread.sleep(9_000);
      String driver = lobbyDriver(eventId);
      assertThat(driver).as("a node drives the lobby's lines").matches("n[1-3]");
      String victim = driver.substring(1);
      Result kill = cluster(Duration.ofSeconds(30), "kill", victim);
      assertThat(kill.code()).as("kill " + victim + ": " + kill.output()).isZero();
      long killedAt = System.nanoTime();
      String nextDriver = null;
      while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(30)
          && (nextDriver == null || nextDriver.equals(driver))) {
        pause(250);
        nextDriver = lobbyDriver(eventId);
      }
      double leaseMoved = (System.nanoTime() - killedAt) / 1e9;
      Result start = cluster(Duration.ofMinutes(2), "start", victim);
      assertThat(start.code()).as("start " + victim + ": " + start.output()).isZero();
      JsonObject killed = finish(soak, "soak-kill");
      report.add(String.format("SIGKILL %s: lobby lease to %s in %.1f s; soak %s, %s back in %d s", driver,
          nextDriver, leaseMoved, killed.encode(), driver, start.seconds()));
      // the lease expires 5 s after the last renewal; the next tick of another node takes it
      assertThat(nextDriver).as("the lobby's driver after the kill").isNotNull().isNotEqualTo(driver);
      assertThat(leaseMoved).as("seconds until another node drives the lobby").isLessThan(10);
      assertThat(survivorsLogged("Cluster member left: ", victim))
          .as("the other nodes logged that the killed one left the cluster").isTrue();

      // 2. a rolling restart of every node, one at a time, under the same kind of load
      soak = soak(clients, announcements * 3, rate, "soak-rolling");
      Thread.sleep(5_000);
      for (int n = 1; n <= 3; n++) {
        Result restart = cluster(Duration.ofMinutes(2), "restart", Integer.toString(n));
        assertThat(restart.code()).as("restart " + n + ": " + restart.output()).isZero();
        report.add("restart n" + n + " in " + restart.seconds() + " s" + (soak.isAlive() ? "" : " (after the soak ended)"));
      }
      JsonObject rolled = finish(soak, "soak-rolling");
      report.add("rolling restart: soak " + rolled.encode());
      registrations.stop();
      report.add("registrations: " + registrations.summary());

      for (JsonObject result : List.of(killed, rolled)) {
        assertThat(result.getBoolean("ok")).as(result.encode()).isTrue();
        assertThat(result.getInteger("gaps")).as("gaps").isZero();
        assertThat(result.getInteger("duplicates")).as("duplicates").isZero();
        assertThat(result.getInteger("behind")).as("clients missing announcements at the end").isZero();
        assertThat(result.getInteger("errors")).as("error frames").isZero();
      }
      assertThat(killed.getInteger("posted")).isEqualTo(announcements);
      assertThat(rolled.getInteger("posted")).isEqualTo(announcements * 3);
      registrations.check();
    } finally {
      if (soak != null && soak.isAlive()) {
        soak.destroyForcibly();
      }
      if (registrations != null) {
        registrations.stop();
      }
      Result down = cluster(Duration.ofMinutes(3), "down");
      report.add("down: exit " + down.code());
      report.add(String.format("whole drill %d s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)));
      String text = String.join("\n", report);
      System.out.println(text);
      Files.writeString(RUN.resolve("drill-report.txt"), text + "\n");
    }
  }

  /** Registrations through the balancer, each with its own Idempotency-Key, retried until acknowledged. */
  private final class Registrations {
    private final long eventId;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger attempted = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>(); // email -> registration id
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> workers = new ArrayList<>();

    Registrations(long eventId) {
      this.eventId = eventId;
    }

    void start(int threads) {
      for (int i = 0; i < threads; i++) {
        Thread worker = new Thread(this::work, "registrations-" + i);
        worker.start();
        workers.add(worker);
      }
    }

    private void work() {
      while (!stopping.get()) {
        int i = next.incrementAndGet();
        attempted.incrementAndGet();
        String email = "drill" + i + "-" + eventId + "@example.org";
        String body = new JsonObject().put("name", "Drill " + i).put("email", email).put("consent", true).encode();
        String key = "drill-" + eventId + "-" + i;
        Instant deadline = Instant.now().plusSeconds(90);
        while (true) {
          String outcome;
          try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(lb("/api/events/" + eventId + "/registrations"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 || response.statusCode() == 201) {
              acknowledged.put(email, new JsonObject(response.body()).getString("id"));
              break;
            }
            outcome = response.statusCode() + " " + response.body();
            if (response.statusCode() < 500 && response.statusCode() != 429) {
              failures.add(email + ": " + outcome);
              break;
            }
          } catch (IOException e) {
            outcome = e.toString();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          if (Instant.now().isAfter(deadline)) {
            failures.add(email + ": still failing after 90 s: " + outcome);
            break;
          }
          retries.incrementAndGet();
          pause(250);
        }
        pause(ThreadLocalRandom.current().nextInt(20, 60));
      }
    }

    void stop() throws InterruptedException {
      stopping.set(true);
      for (Thread worker : workers) {
        worker.join(120_000);
      }
    }

    String summary() {
      return "attempted " + attempted + ", acknowledged " + acknowledged.size() + ", retries " + retries
          + ", failures " + failures.size();
    }

    void check() throws Exception {
      assertThat(failures).as("registrations that never succeeded").isEmpty();
      assertThat(acknowledged).as("every attempted registration acknowledged").hasSize(attempted.get());
      Map<String, List<String>> stored = new HashMap<>();
      PgConnectOptions pg = PgConnectOptions.fromUri(env.get("FOYER_PG_URL"));
      try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/"
          + pg.getDatabase(), pg.getUser(), pg.getPassword());
           PreparedStatement query = db.prepareStatement(
               "SELECT email, id::text FROM registrations WHERE event_id = ? AND status <> 'cancelled'")) {
        query.setLong(1, eventId);
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            stored.computeIfAbsent(rows.getString(1), e -> new ArrayList<>()).add(rows.getString(2));
          }
        }
      }
      assertThat(stored.keySet()).as("registrations in the database").isEqualTo(acknowledged.keySet());
      for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
        assertThat(stored.get(ack.getKey())).as("rows of " + ack.getKey()).containsExactly(ack.getValue());
      }
    }
  }

  private void configure() throws IOException {
    Files.createDirectories(RUN);
    Files.deleteIfExists(RUN.resolve("secrets.env"));
    for (int n = 1; n <= 3; n++) {
      // cluster.sh appends to a node's log: the drill reads only what this run wrote
      Files.deleteIfExists(RUN.resolve("n" + n + ".log"));
    }
    lbPort = TestServices.freePort();
    env.put("CLUSTER_RUN_DIR", RUN.toString());
    env.put("CLUSTER_LB_PORT", Integer.toString(lbPort));
    env.put("CLUSTER_STATS_PORT", Integer.toString(TestServices.freePort()));
    env.put("CLUSTER_HTTP_PORTS", ports());
    env.put("CLUSTER_HZ_PORTS", ports());
    env.put("CLUSTER_BUS_PORTS", ports());
    env.put("CLUSTER_REGIONS", "eu-west eu-west us-east");
    env.put("FOYER_PG_URL", TestServices.pgUrl());
    env.put("FOYER_REDIS_URL", TestServices.redisUrl());
    env.put("FOYER_LIVE_KEY_PREFIX", "cluster-it-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis() + ":");
    env.put("FOYER_AUTH_API_KEYS", "drill:" + apiKey + ":*");
    env.put("FOYER_AUTH_TOKEN_SECRET", HexFormat.of().formatHex(randomBytes(32)));
    env.put("FOYER_CLUSTER_SECRET", HexFormat.of().formatHex(randomBytes(24)));
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static String ports() {
    return TestServices.freePort() + " " + TestServices.freePort() + " " + TestServices.freePort();
  }

  private record Result(int code, String output, long seconds) {}

  private Result cluster(Duration timeout, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(RUN.resolve("cluster-" + args[0] + ".out").toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("FOYER_") || key.startsWith("CLUSTER_"));
    builder.environment().putAll(env);
    long began = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    String output = Files.readString(RUN.resolve("cluster-" + args[0] + ".out"));
    System.out.print(output);
    return new Result(process.isAlive() ? -1 : process.exitValue(), output,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
  }

  private Process soak(int clients, int announcements, int rate, String name) throws IOException {
    return new ProcessBuilder("node", "--experimental-websocket", "--no-warnings",
        Path.of("src/test/resources/reconnect-soak.mjs").toString(), "--nodes", Integer.toString(lbPort),
        "--key", apiKey, "--clients", Integer.toString(clients), "--announcements", Integer.toString(announcements),
        "--rate", Integer.toString(rate), "--drop", "0.1", "--churn-ms", "2000", "--retries", "20")
        .redirectErrorStream(true).redirectOutput(RUN.resolve(name + ".out").toFile()).start();
  }

  private static JsonObject finish(Process soak, String name) throws Exception {
    boolean ended = soak.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      soak.destroyForcibly();
    }
    String output = Files.readString(RUN.resolve(name + ".out"));
    assertThat(ended).as(name + " ended in time; " + output).isTrue();
    String last = output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
    assertThat(last).as(name + " printed its counts: " + output).isNotNull();
    return new JsonObject(last);
  }

  private long createEvent() throws Exception {
    Instant start = Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    String body = new JsonObject().put("title", "Failover drill").put("startsAt", start.toString())
        .put("endsAt", start.plus(Duration.ofHours(8)).toString()).put("timeZone", "Europe/Paris")
        .put("defaultLanguage", "en").put("capacity", 100_000).encode();
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(lb("/api/events"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + apiKey)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getLong("id");
  }

  /** The node id holding the lobby's driver lease, read through the balancer; null when none or unreadable. */
  private String lobbyDriver(long eventId) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(lb("/api/events/" + eventId + "/lobby/state"))
          .header("Authorization", "Bearer " + apiKey).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()).getString("driver") : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Whether every node but the given one wrote the line to its log (cluster.sh: target/cluster-it/nN.log). */
  private static boolean survivorsLogged(String line, String except) throws IOException {
    for (int n = 1; n <= 3; n++) {
      if (!Integer.toString(n).equals(except) && !Files.readString(RUN.resolve("n" + n + ".log")).contains(line)) {
        return false;
      }
    }
    return true;
  }

  private URI lb(String path) {
    return URI.create("http://127.0.0.1:" + lbPort + path);
  }

  /** haproxy and socat (cluster.sh) and Node (the soak): skip without them, except in CI, where that fails. */
  private static void requireTools() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("haproxy", "socat", "curl")) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty() && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + missing + " not on the PATH (.ci/run installs haproxy and socat)");
    }
    assumeTrue(missing.isEmpty(), "cluster drill skipped: " + String.join(", ", missing) + " not installed");
    NodeJs.require();
    assumeTrue(Files.isRegularFile(Path.of("target", "foyer.jar")), "cluster drill skipped: no target/foyer.jar");
  }

  private static boolean onPath(String tool) {
    try {
      Process probe = new ProcessBuilder("bash", "-c", "command -v " + tool).start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static int setting(String name, int fallback) {
    String value = System.getProperty("foyer.clusterIt." + name,
        System.getenv("FOYER_CLUSTER_IT_" + name.toUpperCase(java.util.Locale.ROOT)));
    return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new java.security.SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
