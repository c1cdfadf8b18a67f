package io.foyer.testing;

import io.foyer.store.EmbeddedPostgres;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import redis.embedded.RedisServer;

/**
 * The real PostgreSQL and Redis the tests talk to: the servers named by FOYER_TEST_PG_URL and
 * FOYER_TEST_REDIS_URL when set, otherwise embedded ones started once per test JVM. Each JVM gets a database
 * of its own, dropped at exit, so runs never see each other's rows.
 */
public final class TestServices {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static String pgServer;
  private static String pgUrl;
  private static String redisUrl;
  private static String redisPrefix;

  private TestServices() {}

  /** URL of a fresh database for this test JVM. */
  public static synchronized String pgUrl() {
    if (pgUrl == null) {
      pgUrl = createScratchDatabase(pgServer());
    }
    return pgUrl;
  }

  /**
   * URL of another fresh database, for a test that checks whole tables (counters against rows) and so must
   * not see the rows of the other tests in this JVM; dropped at exit as well.
   */
  public static synchronized String freshPgUrl() {
    return createScratchDatabase(pgServer());
  }

  private static String pgServer() {
    if (pgServer == null) {
      String server = System.getenv("FOYER_TEST_PG_URL");
      pgServer = server == null || server.isBlank() ? startEmbeddedPostgres() : server;
    }
    return pgServer;
  }

  /** URL of a Redis server; tests keep to key prefixes of their own. */
  public static synchronized String redisUrl() {
    if (redisUrl == null) {
      String server = System.getenv("FOYER_TEST_REDIS_URL");
      redisUrl = server == null || server.isBlank() ? startEmbeddedRedis() : server;
    }
    return redisUrl;
  }

  /** A Redis key prefix of this test JVM; its keys are deleted when the JVM exits. */
  public static synchronized String redisPrefix() {
    if (redisPrefix == null) {
      redisPrefix = "foyer-test-" + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime(), 36) + ":";
      String url = redisUrl();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteKeys(url, redisPrefix), "test-redis-clean"));
    }
    return redisPrefix;
  }

  private static void deleteKeys(String url, String prefix) {
    try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(java.net.URI.create(url))) {
      redis.clients.jedis.ScanParams match = new redis.clients.jedis.ScanParams().match(prefix + "*").count(1000);
      String cursor = redis.clients.jedis.ScanParams.SCAN_POINTER_START;
      do {
        var page = jedis.scan(cursor, match);
        if (!page.getResult().isEmpty()) {
          jedis.del(page.getResult().toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(redis.clients.jedis.ScanParams.SCAN_POINTER_START));
    } catch (RuntimeException e) {
      // an embedded server may already be gone, and its keys with it
    }
  }

  /** Whether the tests run on servers started by this harness rather than ones given by the environment. */
  public static boolean embeddedPostgres() {
    String server = System.getenv("FOYER_TEST_PG_URL");
    return server == null || server.isBlank();
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A unique name for test data (key prefixes, event titles). */
  public static String unique(String prefix) {
    return prefix + "-" + Long.toString(System.nanoTime(), 36) + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
  }

  private static String startEmbeddedPostgres() {
    try {
      Path dataDir = Path.of("target", "test-postgres-" + ProcessHandle.current().pid());
      EmbeddedPostgres pg = EmbeddedPostgres.start(dataDir, 0);
      Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "embedded-postgres-stop"));
      return pg.url();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL for tests", e);
    }
  }

  private static String startEmbeddedRedis() {
    int port = freePort();
    try {
      RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("save \"\"")
          .setting("appendonly no").build();
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.stop();
        } catch (IOException e) {
          // the JVM is exiting; the child dies with it
        }
      }, "embedded-redis-stop"));
      return "redis://127.0.0.1:" + port;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded Redis for tests", e);
    }
  }

  private static String createScratchDatabase(String serverUrl) {
    PgConnectOptions options = PgConnectOptions.fromUri(serverUrl);
    String name = "foyer_test_" + ProcessHandle.current().pid() + "_" + Long.toString(System.currentTimeMillis(), 36)
        + "_" + DATABASES.incrementAndGet();
    String admin = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    try (Connection connection = DriverManager.getConnection(admin, options.getUser(), options.getPassword());
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database on " + admin + ": " + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> dropDatabase(admin, options, name), "test-db-drop"));
    String auth = options.getUser() + (options.getPassword() == null || options.getPassword().isEmpty() ? ""
        : ":" + options.getPassword());
    return "postgresql://" + auth + "@" + options.getHost() + ":" + options.getPort() + "/" + name;
  }

  private static void dropDatabase(String admin, PgConnectOptions options, String name) {
    try (Connection connection = DriverManager.getConnection(admin, options.getUser(), options.getPassword());
         Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      // an embedded server may already be stopping; its data directory goes with `mvn clean`
    }
  }
}
