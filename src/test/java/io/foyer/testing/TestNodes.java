package io.foyer.testing;

import io.foyer.FoyerApp;
import io.foyer.config.ConfigLoader;
import io.foyer.config.FoyerConfig;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts real Foyer nodes on the test PostgreSQL (and Redis when asked), on a free HTTP port. */
public final class TestNodes {

  private TestNodes() {}

  /** Configuration as a user would give it through FOYER_* variables, on top of the test servers. */
  public static FoyerConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("FOYER_HTTP_PORT", "0");
    env.put("FOYER_HTTP_HOST", "127.0.0.1");
    env.put("FOYER_HTTP_INSTANCES", "2");
    env.put("FOYER_PG_URL", TestServices.pgUrl());
    env.put("FOYER_PG_POOL_SIZE", "4");
    env.putAll(overrides);
    return ConfigLoader.load(null, env);
  }

  public static FoyerApp start(Map<String, String> overrides) throws Exception {
    return await(FoyerApp.start(config(overrides)));
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
