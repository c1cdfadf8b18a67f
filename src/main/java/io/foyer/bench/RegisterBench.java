package io.foyer.bench;

import io.foyer.config.ConfigLoader;
import io.foyer.config.FoyerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `foyer bench register`: durable registrations per second and their latency, in one of the {@link Scenario}s.
 * Against --url it drives that server; without, it starts a node in a process of its own (as users deploy it) on
 * the configured PostgreSQL, or an embedded one, and with --baseline runs the same load again on a node that
 * commits every registration on its own, for the ratio.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
    description = "Registrations per second acknowledged (each durable), latency percentiles, refusals, errors, "
        + "and a check that the database holds exactly what was acknowledged.")
public final class RegisterBench implements Callable<Integer> {

  /** Client connections and the node's server sockets each stay well below a process's 20,000 open files. */
  private static final int MAX_CONCURRENCY = 10_000;

  /** The same SQL without group commit: one registration per transaction, 8 transactions in flight. */
  @Mixin
  Target target = new Target();

  private static final Map<String, String> ONE_PER_TRANSACTION = Map.of("FOYER_WRITER_MAX_BATCH_ROWS", "1",
      "FOYER_WRITER_LINGER_MILLIS", "0", "FOYER_WRITER_MAX_CONCURRENT_BATCHES", "8", "FOYER_PG_POOL_SIZE", "8");


  @Option(names = "--scenario", defaultValue = "open", paramLabel = "NAME",
      description = "open: one event without capacity; waitlist: one event of capacity 1000 and rate x duration "
          + "arrivals, most of them waitlisted; events: 100 events, arrivals round-robin (default: ${DEFAULT-VALUE})")
  Scenario scenario;

  @Option(names = "--rate", defaultValue = "5000", description = "Registrations offered per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "30", description = "Seconds measured (default: ${DEFAULT-VALUE})")
  int duration;

  // a fresh JVM compiles its hot code for about a minute: on two cores the compiler threads took a third of a core
  // during the second 15 s after start, and the measured tail was several times that of a warm node
  @Option(names = "--warmup", defaultValue = "60",
      description = "Seconds at the same rate, on events of their own, before measuring: the node's and the bench's "
          + "JIT compilers take about a minute to settle (default: ${DEFAULT-VALUE})")
  int warmup;

  // each connection carries one request at a time, so connections / server latency bounds what the bench can
  // offer: 64 connections at 50 ms make 1,280/s whatever the server could do, and the rest queues in the bench
  @Option(names = "--concurrency", defaultValue = "256",
      description = "HTTP keep-alive connections, at most " + MAX_CONCURRENCY + "; keep it above rate x latency, or "
          + "the bench, not the server, limits the run (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--baseline", description = "Also run against a node committing one registration per transaction "
      + "(no group commit); only without --url")
  boolean baseline;


  @Override
  public Integer call() throws Exception {
    String mistake = mistake();
    if (mistake != null) {
      System.err.println("foyer bench register: " + mistake);
      return 2;
    }
    String title = "register, scenario " + scenario + " (" + scenario.description + ")";
    List<LoadResult> results = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      if (target.url != null) {
        results.add(measure(vertx, target.url, target.apiKey, "foyer (" + target.url + ")"));
        BenchReport.print(System.out, title, "server: " + target.url + ", not started by the bench", rate, duration,
            concurrency, results);
      } else {
        // a configuration mistake stops the bench here, before it starts anything
        FoyerConfig nodeConfig = ConfigLoader.load(target.config, target.environment);
        Path work = ServerProcess.workDirectory("register");
        String nodes = "nodes: each in a process of its own (foyer run), database " + database(nodeConfig, work)
            + "; logs in " + work;
        try {
          results.add(measureNode(vertx, work, Map.of(), "foyer (group commit)"));
          if (baseline) {
            results.add(measureNode(vertx, work, ONE_PER_TRANSACTION, "baseline (one INSERT per request)"));
          }
        } finally {
          ServerProcess.deleteData(work);
        }
        BenchReport.print(System.out, title, nodes, rate, duration, concurrency, results);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return results.stream().allMatch(LoadResult::verified) ? 0 : 1;
  }

  private String mistake() {
    if (target.url != null && (baseline || target.apiKey == null)) {
      return "with --url give --api-key, and run --baseline only without --url";
    }
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      return "--concurrency must be from 1 to " + MAX_CONCURRENCY;
    }
    if (!(rate > 0) || duration < 1 || warmup < 0) {
      return "--rate must be above 0, --duration at least 1 and --warmup at least 0";
    }
    return null;
  }

  /** Starts a node with the configured settings and the given overrides, measures it, and stops it. */
  private LoadResult measureNode(Vertx vertx, Path work, Map<String, String> overrides, String name) throws Exception {
    String key = "bench-" + UUID.randomUUID();
    Map<String, String> settings = new HashMap<>(target.environment);
    settings.putAll(overrides);
    String log = name.substring(0, name.indexOf(' ')) + ".log";
    try (ServerProcess node = ServerProcess.startNode(target.runArgs(), settings, key, work, log)) {
      return measure(vertx, URI.create("http://127.0.0.1:" + node.port()), key, name);
    }
  }

  /** The database the started nodes use, as configured; a password in the URI is not printed. */
  private static String database(FoyerConfig nodeConfig, Path work) {
    return nodeConfig.pg().url().isEmpty() ? "embedded PostgreSQL (data under " + work.resolve("data") + ", removed)"
        : nodeConfig.pg().url().replaceAll("//[^@/]*@", "//");
  }

  private LoadResult measure(Vertx vertx, URI target, String key, String name) throws Exception {
    RegistrationLoad load = new RegistrationLoad(vertx, target, concurrency);
    try {
      awaitReady(load, target);
      // the measured events are created before the warm-up: an organizer request between a minute of nothing but
      // registrations and the measured run deoptimized dozens of the node's hot compiled methods at once (57 in
      // 150 ms, seen with JFR), and the measured run's first seconds then timed the JIT recompiling them
      List<Long> events = await(load.createEvents(key, "foyer bench register", scenario));
      if (warmup > 0) {
        List<Long> warmupEvents = await(load.createEvents(key, "foyer bench warm-up", scenario));
        await(load.run("warm-up", warmupEvents, rate, Duration.ofSeconds(warmup)));
      }
      LoadResult result = await(load.run(name, events, rate, Duration.ofSeconds(duration)));
      result.verification = verify(load, key, events, result);
      return result;
    } finally {
      await(load.close());
    }
  }

  private static void awaitReady(RegistrationLoad load, URI target) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!await(load.ready())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(target + "/health/ready did not answer 200 within 60 s");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Every event holds (confirmed + waitlisted) exactly what was acknowledged for it; with a capacity, the
   * confirmed ones fill it and no more.
   */
  private String verify(RegistrationLoad load, String key, List<Long> events, LoadResult result) throws Exception {
    List<String> wrong = new ArrayList<>();
    long held = 0;
    long confirmed = 0;
    for (int i = 0; i < events.size(); i++) {
      JsonObject stats = await(load.stats(key, events.get(i)));
      long eventConfirmed = stats.getLong("confirmed");
      long eventHeld = eventConfirmed + stats.getLong("waitlisted");
      long acknowledged = result.acknowledgedByEvent[i];
      if (eventHeld != acknowledged) {
        wrong.add("event " + events.get(i) + " holds " + eventHeld + ", acknowledged " + acknowledged);
      }
      if (scenario.capacity != null && eventConfirmed != Math.min(scenario.capacity, acknowledged)) {
        wrong.add("event " + events.get(i) + " has " + eventConfirmed + " confirmed of capacity " + scenario.capacity
            + " after " + acknowledged + " acknowledged");
      }
      held += eventHeld;
      confirmed += eventConfirmed;
    }
    if (!wrong.isEmpty()) {
      return "MISMATCH: " + String.join("; ", wrong.subList(0, Math.min(5, wrong.size())))
          + (wrong.size() > 5 ? "; and " + (wrong.size() - 5) + " more" : "");
    }
    String detail = scenario.capacity != null ? " (" + confirmed + " confirmed, " + (held - confirmed) + " waitlisted)"
        : events.size() > 1 ? " over " + events.size() + " events, each as acknowledged" : "";
    return "ok: database holds " + held + " = acknowledged" + detail;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
