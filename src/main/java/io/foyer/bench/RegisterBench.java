package io.foyer.bench;

import io.foyer.FoyerApp;
import io.foyer.config.ConfigLoader;
import io.foyer.config.FoyerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `foyer bench register`: durable registrations per second and their latency. Against --url it drives that
 * server; without, it starts a node in this process on the configured PostgreSQL (or the embedded one), and
 * with --baseline runs the same load again on a node that commits every registration on its own, for the ratio.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
    description = "Registrations per second acknowledged (each durable), latency percentiles, errors, and a "
        + "check that the database holds exactly what was acknowledged.")
public final class RegisterBench implements Callable<Integer> {

  @Option(names = "--url", paramLabel = "URL",
      description = "Server to drive, e.g. http://127.0.0.1:8080 (default: start a node in this process)")
  URI url;

  @Option(names = "--api-key", paramLabel = "KEY", description = "Organizer API key for --url (creates the event)")
  String apiKey;

  @Option(names = "--rate", defaultValue = "5000", description = "Registrations offered per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "30", description = "Seconds measured (default: ${DEFAULT-VALUE})")
  int duration;

  @Option(names = "--warmup", defaultValue = "10", description = "Seconds at the same rate before measuring (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--concurrency", defaultValue = "64", description = "HTTP connections (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--baseline", description = "Also run against a node committing one registration per transaction "
      + "(no group commit); only without --url")
  boolean baseline;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration of the in-process node")
  Path config;

  /** Where FOYER_* settings of the in-process node come from; tests replace it. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    if (url != null && (baseline || apiKey == null)) {
      System.err.println("foyer bench: with --url give --api-key, and run --baseline only without --url");
      return 2;
    }
    List<LoadResult> results = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      if (url != null) {
        results.add(measure(vertx, url, apiKey, "foyer (" + url + ")"));
      } else {
        results.add(measureInProcess(vertx, Map.of(), "foyer (group commit)"));
        if (baseline) {
          results.add(measureInProcess(vertx, Map.of("FOYER_WRITER_MAX_BATCH_ROWS", "1",
              "FOYER_WRITER_LINGER_MILLIS", "0", "FOYER_WRITER_MAX_CONCURRENT_BATCHES", "8",
              "FOYER_PG_POOL_SIZE", "8"), "baseline (one INSERT per request)"));
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    BenchReport.print(System.out, "register", rate, duration, concurrency, results);
    return results.stream().allMatch(r -> r.verification.startsWith("ok")) ? 0 : 1;
  }

  private LoadResult measureInProcess(Vertx vertx, Map<String, String> overrides, String name) throws Exception {
    String key = "bench-" + UUID.randomUUID();
    Map<String, String> env = new HashMap<>(environment);
    env.put("FOYER_HTTP_PORT", "0");
    env.put("FOYER_HTTP_HOST", "127.0.0.1");
    env.put("FOYER_AUTH_API_KEYS", "bench:" + key + ":*");
    env.putAll(overrides);
    FoyerConfig nodeConfig = ConfigLoader.load(config, env);
    FoyerApp node = await(FoyerApp.start(nodeConfig));
    try {
      return measure(vertx, URI.create("http://127.0.0.1:" + node.httpPort()), key, name);
    } finally {
      await(node.stop());
    }
  }

  private LoadResult measure(Vertx vertx, URI target, String key, String name) throws Exception {
    RegistrationLoad load = new RegistrationLoad(vertx, target, concurrency);
    try {
      if (warmup > 0) {
        long warmupEvent = await(load.createEvent(key, "foyer bench warm-up"));
        await(load.run("warm-up", warmupEvent, rate, Duration.ofSeconds(warmup)));
      }
      long eventId = await(load.createEvent(key, "foyer bench register"));
      LoadResult result = await(load.run(name, eventId, rate, Duration.ofSeconds(duration)));
      long stored = await(load.storedRegistrations(key, eventId));
      result.verification = stored == result.acknowledged
          ? "ok: database holds " + stored + " = acknowledged"
          : "MISMATCH: database holds " + stored + ", acknowledged " + result.acknowledged;
      return result;
    } finally {
      await(load.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
