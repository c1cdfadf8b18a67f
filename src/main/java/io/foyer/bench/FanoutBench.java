package io.foyer.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `foyer bench fanout`: N attendee WebSockets on one node, broadcasts at a rate, and per message the time until
 * every client had it; the server's memory per idle connection and CPU per delivered message, read from its
 * own process. --baseline repeats it against a bare Vert.x broadcast server for the ratio.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
    description = "Broadcast latency to N WebSocket clients, server memory per connection and CPU per delivery.")
public final class FanoutBench implements Callable<Integer> {

  @Option(names = "--clients", defaultValue = "1000", description = "WebSocket clients (default: ${DEFAULT-VALUE})")
  int clientCount;

  @Option(names = "--rate", defaultValue = "2", description = "Broadcasts per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds of broadcasting (default: ${DEFAULT-VALUE})")
  int duration;

  @Option(names = "--source-addresses", defaultValue = "4",
      description = "127.0.0.x source addresses the clients spread over (default: ${DEFAULT-VALUE})")
  int sourceAddresses;

  @Option(names = "--baseline", description = "Also run against a minimal Vert.x broadcast server; only without --url")
  boolean baseline;

  @Option(names = "--url", paramLabel = "URL", description = "Server to drive on this machine (a node or a balancer "
      + "in front of several, e.g. http://127.0.0.1:18080; the clients reach it from 127.0.0.x addresses); default: "
      + "start a node in a process of its own. Its CPU and memory are not measured then")
  URI url;

  @Option(names = "--api-key", paramLabel = "KEY", description = "Organizer API key for --url (creates the event)")
  String apiKey;

  /** Where FOYER_* settings of the spawned node come from; tests replace it. */
  Map<String, String> environment = System.getenv();

  private record Result(String name, int clients, int messages, long delivered, Histogram timeToAll,
      double seconds, double cpuMicrosPerDelivery, double bytesPerConnection) {}

  @Override
  public Integer call() throws Exception {
    if (url != null && (baseline || apiKey == null || !loopback(url))) {
      System.err.println("foyer bench fanout: with --url give --api-key and a loopback host (127.x or localhost), "
          + "and run --baseline only without --url");
      return 2;
    }
    if (url != null) {
      Result result = drive(url, apiKey, null);
      print(System.out, List.of(result));
      return result.delivered() == (long) result.clients() * result.messages() ? 0 : 1;
    }
    Path work = ServerProcess.workDirectory("fanout");
    List<Result> results = new ArrayList<>();
    try {
      results.add(runFoyer(work));
      if (baseline) {
        results.add(runBaseline(work));
      }
    } finally {
      ServerProcess.deleteData(work);
    }
    print(System.out, results);
    return results.stream().allMatch(r -> r.delivered() == (long) r.clients() * r.messages()) ? 0 : 1;
  }

  private Result runFoyer(Path work) throws Exception {
    String key = "bench-" + UUID.randomUUID();
    Map<String, String> env = new HashMap<>(environment);
    env.keySet().removeIf(k -> k.startsWith("FOYER_") && !k.equals("FOYER_PG_URL")
        && !k.equals("FOYER_NODE_TRANSPORT"));
    env.put("FOYER_LOG_LEVEL", "warn");
    try (ServerProcess server = ServerProcess.startNode(List.of(), env, key, work, "foyer.log")) {
      return drive(URI.create("http://127.0.0.1:" + server.port()), key, server);
    }
  }

  /** One event on the server, clientCount attendees registered and subscribed to it, then the broadcasts. */
  private Result drive(URI target, String key, ServerProcess server) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(target.getHost())
          .setDefaultPort(target.getPort()), new PoolOptions().setHttp1MaxSize(32));
      long eventId = await(call(http, HttpMethod.POST, "/api/events", key, new JsonObject().put("title", "fanout")
          .put("startsAt", "2030-01-01T09:00:00Z").put("endsAt", "2030-01-01T18:00:00Z").put("timeZone", "UTC")
          .put("defaultLanguage", "en"))).getLong("id");
      List<String> tokens = register(http, eventId);
      String subscribe = new JsonObject().put("type", "subscribe").put("topic", "event:" + eventId).encode();
      String name = server == null ? "foyer (" + target + ")" : "foyer";
      return measure(vertx, target, server, name, i -> "/ws?token=" + tokens.get(i),
          frame -> "subscribed".equals(frame.getString("type")),
          frame -> "welcome".equals(frame.getString("type")) ? subscribe : null,
          id -> call(http, HttpMethod.POST, "/api/events/" + eventId + "/announcements", key,
              new JsonObject().put("body", id + ":" + System.nanoTime())));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static boolean loopback(URI target) {
    String host = target.getHost();
    return host != null && (host.equals("localhost") || host.startsWith("127.")) && target.getPort() > 0;
  }

  private Result runBaseline(Path work) throws Exception {
    int port = ServerProcess.freePort();
    try (ServerProcess server = ServerProcess.start(List.of("fanout-baseline-server", "--port",
        Integer.toString(port)), Map.of(), port, work.resolve("baseline.log"))) {
      Vertx vertx = Vertx.vertx();
      try {
        HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(port), new PoolOptions().setHttp1MaxSize(32));
        return measure(vertx, URI.create("http://127.0.0.1:" + port), server, "baseline (bare Vert.x broadcast)",
            i -> "/ws", frame -> false, frame -> null,
            id -> http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/broadcast"))
                .compose(request -> request.send(frame(id)))
                .compose(response -> response.body()).map(body -> new JsonObject()));
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
  }

  /** The same bytes Foyer sends for an announcement, so both servers write equal frames. */
  private static String frame(int id) {
    return new JsonObject().put("type", "message").put("topic", "event:1").put("seq", id + 1)
        .put("kind", "announcement").put("at", "2030-01-01T09:00:00.000Z")
        .put("data", new JsonObject().put("title", (String) null).put("body", id + ":" + System.nanoTime())).encode();
  }

  /** Drives target; server is the process measured for CPU and memory, null when the bench did not start it. */
  private Result measure(Vertx vertx, URI target, ServerProcess server, String name,
      java.util.function.Function<Integer, String> uri, java.util.function.Function<JsonObject, Boolean> readyWhen,
      java.util.function.Function<JsonObject, String> replyTo,
      java.util.function.Function<Integer, Future<JsonObject>> broadcast) throws Exception {
    int messages = (int) Math.round(rate * duration);
    FanoutClients clients = new FanoutClients(vertx, sourceAddresses, messages);
    try {
      long idle = server == null ? 0 : server.residentBytesAfterGc();
      await(clients.connect(target.getHost(), target.getPort(), clientCount, uri, readyWhen, replyTo));
      boolean needsReady = !name.startsWith("baseline");
      waitUntil(() -> !needsReady || clients.ready() == clientCount, 120);
      if (needsReady && clients.ready() < clientCount) {
        throw new IllegalStateException("only " + clients.ready() + " of " + clientCount
            + " clients were subscribed after 2 minutes");
      }
      long connected = server == null ? 0 : server.residentBytesAfterGc();
      long cpuBefore = server == null ? 0 : server.cpuNanos();
      long[] sent = new long[messages];
      long start = System.nanoTime();
      for (int id = 0; id < messages; id++) {
        long due = start + (long) (id * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        sent[id] = System.nanoTime();
        broadcast.apply(id);
      }
      waitUntil(() -> allDelivered(clients, messages), 60);
      long end = System.nanoTime();
      long cpuAfter = server == null ? 0 : server.cpuNanos();
      Histogram timeToAll = new Histogram(3_600_000_000L, 3);
      long delivered = 0;
      for (int id = 0; id < messages; id++) {
        delivered += clients.receivedBy(id);
        if (clients.receivedBy(id) == clientCount) {
          timeToAll.recordValue(Math.max(0, (clients.lastArrival(id) - sent[id]) / 1000));
        }
      }
      return new Result(name, clientCount, messages, delivered, timeToAll, (end - start) / 1e9,
          server == null ? Double.NaN : (cpuAfter - cpuBefore) / 1000.0 / Math.max(1, delivered),
          server == null ? Double.NaN : (connected - idle) / (double) clientCount);
    } finally {
      await(clients.close());
    }
  }

  private List<String> register(HttpClientAgent http, long eventId) throws Exception {
    List<String> tokens = new ArrayList<>();
    List<Future<JsonObject>> batch = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      batch.add(call(http, HttpMethod.POST, "/api/events/" + eventId + "/registrations", null, new JsonObject()
          .put("name", "Fan " + i).put("email", "fan" + i + "@bench.invalid").put("consent", true)));
      if (batch.size() == 500 || i == clientCount - 1) {
        for (JsonObject registration : await(Future.all(batch)).<JsonObject>list()) {
          tokens.add(registration.getString("token"));
        }
        batch.clear();
      }
    }
    return tokens;
  }

  private static Future<JsonObject> call(HttpClientAgent http, HttpMethod method, String path, String bearer,
      JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path)
        .putHeader("Content-Type", "application/json");
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    return http.request(options).compose(request -> request.send(body.toBuffer()))
        .compose(response -> response.body().map(buffer -> {
          if (response.statusCode() >= 300) {
            throw new IllegalStateException("HTTP " + response.statusCode() + " " + buffer);
          }
          return buffer.toJsonObject();
        }));
  }

  private boolean allDelivered(FanoutClients clients, int messages) {
    for (int id = 0; id < messages; id++) {
      if (clients.receivedBy(id) < clientCount) {
        return false;
      }
    }
    return true;
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private void print(PrintStream out, List<Result> results) {
    out.printf(Locale.ROOT, "%nfoyer bench fanout: %d clients over %d source addresses, %.1f broadcasts/s for %d s; "
        + "%d cores, %s %s, %s%n%n", clientCount, sourceAddresses, rate, duration,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), LocalDate.now());
    out.printf(Locale.ROOT, "%-34s %18s %9s %9s %9s %12s %12s %12s%n", "run", "delivered/expected", "p50 ms",
        "p99 ms", "max ms", "deliveries/s", "cpu us/msg", "KB/conn");
    for (Result r : results) {
      out.printf(Locale.ROOT, "%-34s %18s %9.1f %9.1f %9.1f %12.0f %12.2f %12.1f%n", r.name(),
          r.delivered() + "/" + ((long) r.clients() * r.messages()), millis(r.timeToAll(), 50),
          millis(r.timeToAll(), 99), r.timeToAll().getTotalCount() == 0 ? Double.NaN
              : r.timeToAll().getMaxValue() / 1000.0,
          r.delivered() / r.seconds(), r.cpuMicrosPerDelivery(), r.bytesPerConnection() / 1024);
    }
    if (results.size() == 2) {
      Result foyer = results.get(0);
      Result base = results.get(1);
      out.printf(Locale.ROOT, "%nratio foyer / baseline: deliveries/s %.2f, p99 time-to-all %.2f, cpu per delivery "
          + "%.2f, memory per connection %.2f%n", (foyer.delivered() / foyer.seconds())
          / (base.delivered() / base.seconds()), millis(foyer.timeToAll(), 99) / millis(base.timeToAll(), 99),
          foyer.cpuMicrosPerDelivery() / base.cpuMicrosPerDelivery(),
          foyer.bytesPerConnection() / base.bytesPerConnection());
    }
  }

  private static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
