package io.foyer.testing;

import io.foyer.FoyerApp;
import io.foyer.config.ConfigLoader;
import io.foyer.config.FoyerConfig;
import io.foyer.bench.ServerProcess;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts real Foyer nodes on the test PostgreSQL (and Redis when asked), on a free HTTP port. */
public final class TestNodes {

  /** An organizer key for every event. */
  public static final String ADMIN_KEY = "test-admin-key-0123456789";
  /** An organizer key limited to {@link #SCOPED_EVENT}, an event the tests never create. */
  public static final String SCOPED_KEY = "test-scoped-key-0123456789";
  public static final long SCOPED_EVENT = 987_654_321L;
  /** The attendee token secret every test node shares. */
  public static final String TOKEN_SECRET = "test-token-secret-test-token-secret-0123";

  private TestNodes() {}

  /** Configuration as a user would give it through FOYER_* variables, on top of the test servers. */
  public static FoyerConfig config(Map<String, String> overrides) {
    return ConfigLoader.load(null, environment(overrides));
  }

  /** The FOYER_* variables of a test node (also for a node started as a process of its own). */
  public static Map<String, String> environment(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("FOYER_HTTP_PORT", "0");
    env.put("FOYER_HTTP_HOST", "127.0.0.1");
    env.put("FOYER_HTTP_INSTANCES", "2");
    env.put("FOYER_PG_URL", TestServices.pgUrl());
    env.put("FOYER_PG_POOL_SIZE", "4");
    env.put("FOYER_AUTH_API_KEYS", "admin:" + ADMIN_KEY + ":*,scoped:" + SCOPED_KEY + ":" + SCOPED_EVENT);
    env.put("FOYER_AUTH_TOKEN_SECRET", TOKEN_SECRET);
    env.put("FOYER_DATA_DIR", "target/test-data");
    // each test JVM has a database of its own, so its event ids start again at 1: its topics must not meet
    // those of earlier runs in a shared Redis
    env.put("FOYER_LIVE_KEY_PREFIX", TestServices.redisPrefix());
    env.putAll(overrides);
    return env;
  }

  public static FoyerApp start(Map<String, String> overrides) throws Exception {
    return await(FoyerApp.start(config(overrides)));
  }

  /**
   * A node in a process of its own, which a test can kill as a crash would, with the test environment and the
   * given overrides, on a free port; its output goes to target/node-logs.
   */
  public static ServerProcess startProcess(Map<String, String> overrides) throws IOException {
    int port = TestServices.freePort();
    Map<String, String> env = new HashMap<>(overrides);
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    Path log = Files.createTempFile(Files.createDirectories(Path.of("target", "node-logs")), "foyer-node-", ".log");
    return ServerProcess.start(List.of("run"), environment(env), port, log);
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
