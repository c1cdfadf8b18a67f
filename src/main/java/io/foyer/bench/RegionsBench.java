package io.foyer.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
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
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `foyer bench regions`: two regions on one machine, a node in each (eu-west and us-east, processes of their own),
 * with everything between them (Hazelcast, the event bus, and us-east's way to the PostgreSQL and Redis that live
 * in eu-west) through {@link DelayProxy} relays of --delay-ms each way. It runs the two ways to span regions one
 * after the other, the same load on each: one cluster across both regions (pushes on the event bus), and one
 * cluster per region with pushes over Redis pub/sub. It measures time-to-all of announcements within and across
 * regions, registration latency in each region, and then cuts the link for --cut-seconds while eu-west keeps
 * announcing and registering: what keeps working, and how long the far region takes to catch up once it is back.
 */
@Command(name = "regions", mixinStandardHelpOptions = true,
    description = "Two regions joined by a delayed link: one cluster spanning both against one cluster per region "
        + "with pushes over Redis; time-to-all across regions, registrations, and a cut of the link.")
public final class RegionsBench implements Callable<Integer> {

  @Option(names = "--delay-ms", defaultValue = "20",
      description = "Delay of the link between the regions, each way, ms "
          + "(default: ${DEFAULT-VALUE}, so 40 ms round trip)")
  int delayMillis;

  @Option(names = "--clients", defaultValue = "100",
      description = "Attendees per region, each registered there (timed) and holding a WebSocket to its region's node "
          + "(default: ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--announcements", defaultValue = "40",
      description = "Announcements from each region before the cut (default: ${DEFAULT-VALUE})")
  int announcements;

  @Option(names = "--rate", defaultValue = "4", description = "Announcements per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--cut-seconds", defaultValue = "20",
      description = "Seconds the link stays cut (default: ${DEFAULT-VALUE})")
  int cutSeconds;

  @Option(names = "--only", paramLabel = "MODE", description = "Run one topology only: spanning or per-region")
  String only;

  /** Where FOYER_* settings of the nodes come from; tests replace it. */
  Map<String, String> environment = System.getenv();

  enum Mode {
    SPANNING("one cluster spanning both regions"),
    PER_REGION("a cluster per region, pushes over Redis");

    final String description;

    Mode(String description) {
      this.description = description;
    }
  }

  /** What one topology did; times in ms. */
  private static final class Result {
    final Mode mode;
    final Map<String, Histogram> timeToAll = new HashMap<>();
    final Map<String, Histogram> registration = new HashMap<>();
    int cutAnnounced;
    int cutAnnounceFailed;
    int cutRegistered;
    int cutRegisterFailed;
    int farReadySamples;
    int farReadyOk;
    double farCaughtUpSeconds = Double.NaN;
    /** Deliveries us-east's attendees never got of what eu-west announced during and after the cut. */
    long farMissing;
    long missing;
    long duplicates;
    long membersLeft;

    Result(Mode mode) {
      this.mode = mode;
    }
  }

  @Override
  public Integer call() throws Exception {
    String pgUrl = environment.getOrDefault("FOYER_PG_URL", "");
    String redisUrl = environment.getOrDefault("FOYER_REDIS_URL", "");
    if (pgUrl.isEmpty() || redisUrl.isEmpty() || clients < 1 || announcements < 1 || !(rate > 0) || cutSeconds < 1
        || delayMillis < 0 || only != null && !List.of("spanning", "per-region").contains(only)) {
      System.err.println("foyer bench regions: set FOYER_PG_URL and FOYER_REDIS_URL (the nodes of both regions share "
          + "them); --clients, --announcements, --rate and --cut-seconds above 0, --delay-ms 0 or more, "
          + "--only spanning or per-region");
      return 2;
    }
    Path work = ServerProcess.workDirectory("regions");
    List<Result> results = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (Mode mode : Mode.values()) {
        if (only == null || only.equals(mode.name().toLowerCase(Locale.ROOT).replace('_', '-'))) {
          results.add(run(vertx, mode, pgUrl, redisUrl, work));
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      ServerProcess.deleteData(work);
    }
    print(System.out, results, work);
    // what a cluster spanning regions loses when the link drops is a finding; a cluster per region must lose nothing
    return results.stream().filter(r -> r.mode == Mode.PER_REGION)
        .allMatch(r -> r.missing == 0 && r.duplicates == 0) ? 0 : 1;
  }

  private Result run(Vertx vertx, Mode mode, String pgUrl, String redisUrl, Path work) throws Exception {
    Result result = new Result(mode);
    String key = "bench-" + UUID.randomUUID();
    String tag = mode.name().toLowerCase(Locale.ROOT);
    // the far region reaches eu-west's PostgreSQL and Redis over the link
    DelayProxy pgLink = await(DelayProxy.start(vertx, host(pgUrl), port(pgUrl, 5432), delayMillis));
    DelayProxy redisLink = await(DelayProxy.start(vertx, host(redisUrl), port(redisUrl, 6379), delayMillis));
    List<DelayProxy> link = new ArrayList<>(List.of(pgLink, redisLink));
    Map<String, String> common = new HashMap<>(environment);
    common.keySet().removeIf(k -> k.startsWith("FOYER_") && !k.equals("FOYER_PG_URL") && !k.equals("FOYER_REDIS_URL"));
    common.put("FOYER_CLUSTER_ENABLED", "true");
    common.put("FOYER_AUTH_TOKEN_SECRET", "regions-bench-" + UUID.randomUUID());
    common.put("FOYER_LIVE_KEY_PREFIX", "foyer-bench-regions-" + UUID.randomUUID() + ":");
    common.put("FOYER_GATEWAY_INBOUND_RATE_PER_SECOND", "1000");
    common.put("FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE", "0");
    Map<String, String> eu = new HashMap<>(common);
    Map<String, String> us = new HashMap<>(common);
    eu.put("FOYER_NODE_REGION", "eu-west");
    eu.put("FOYER_NODE_ID", "eu-west-1");
    us.put("FOYER_NODE_REGION", "us-east");
    us.put("FOYER_NODE_ID", "us-east-1");
    us.put("FOYER_PG_URL", through(pgUrl, 5432, pgLink));
    us.put("FOYER_REDIS_URL", through(redisUrl, 6379, redisLink));
    int euHz = ServerProcess.freePort();
    int euBus = ServerProcess.freePort();
    int usHz = ServerProcess.freePort();
    int usBus = ServerProcess.freePort();
    eu.put("FOYER_CLUSTER_PORT", Integer.toString(euHz));
    eu.put("FOYER_CLUSTER_BUS_PORT", Integer.toString(euBus));
    us.put("FOYER_CLUSTER_PORT", Integer.toString(usHz));
    us.put("FOYER_CLUSTER_BUS_PORT", Integer.toString(usBus));
    if (mode == Mode.SPANNING) {
      // each node is reached by the other only through the link: its advertised addresses are relays to it
      DelayProxy euHzLink = await(DelayProxy.start(vertx, "127.0.0.1", euHz, delayMillis));
      DelayProxy euBusLink = await(DelayProxy.start(vertx, "127.0.0.1", euBus, delayMillis));
      DelayProxy usHzLink = await(DelayProxy.start(vertx, "127.0.0.1", usHz, delayMillis));
      DelayProxy usBusLink = await(DelayProxy.start(vertx, "127.0.0.1", usBus, delayMillis));
      link.addAll(List.of(euHzLink, euBusLink, usHzLink, usBusLink));
      String secret = "regions-" + UUID.randomUUID();
      String members = "127.0.0.1:" + euHzLink.port() + ",127.0.0.1:" + usHzLink.port();
      for (Map<String, String> node : List.of(eu, us)) {
        node.put("FOYER_CLUSTER_SECRET", secret);
        node.put("FOYER_CLUSTER_MEMBERS", members);
      }
      eu.put("FOYER_CLUSTER_PUBLIC_PORT", Integer.toString(euHzLink.port()));
      eu.put("FOYER_CLUSTER_BUS_PUBLIC_PORT", Integer.toString(euBusLink.port()));
      us.put("FOYER_CLUSTER_PUBLIC_PORT", Integer.toString(usHzLink.port()));
      us.put("FOYER_CLUSTER_BUS_PUBLIC_PORT", Integer.toString(usBusLink.port()));
    } else {
      eu.put("FOYER_CLUSTER_SECRET", "regions-eu-" + UUID.randomUUID());
      eu.put("FOYER_CLUSTER_MEMBERS", "127.0.0.1:" + euHz);
      us.put("FOYER_CLUSTER_SECRET", "regions-us-" + UUID.randomUUID());
      us.put("FOYER_CLUSTER_MEMBERS", "127.0.0.1:" + usHz);
      eu.put("FOYER_CLUSTER_PUSHES", "redis");
      us.put("FOYER_CLUSTER_PUSHES", "redis");
    }
    Path euLog = work.resolve(tag + "-eu-west.log");
    Path usLog = work.resolve(tag + "-us-east.log");
    try (ServerProcess euNode = ServerProcess.startNode(List.of(), eu, key, work, euLog.getFileName().toString());
        ServerProcess usNode = ServerProcess.startNode(List.of(), us, key, work, usLog.getFileName().toString())) {
      HttpClientAgent euHttp = http(vertx, euNode.port());
      HttpClientAgent usHttp = http(vertx, usNode.port());
      waitUntil(() -> ready(usHttp) && ready(euHttp), 120);
      measure(vertx, result, key, euNode, usNode, euHttp, usHttp, link);
      result.membersLeft = Files.readAllLines(euLog).stream().filter(l -> l.contains("Cluster member left")).count()
          + Files.readAllLines(usLog).stream().filter(l -> l.contains("Cluster member left")).count();
    }
    return result;
  }

  private void measure(Vertx vertx, Result result, String key, ServerProcess euNode, ServerProcess usNode,
      HttpClientAgent euHttp, HttpClientAgent usHttp, List<DelayProxy> link) throws Exception {
    long eventId = BenchApi.event(euHttp, key, "regions");
    result.registration.put("eu-west", new Histogram(60_000_000L, 3));
    result.registration.put("us-east", new Histogram(60_000_000L, 3));
    List<String> euTokens = registerTimed(euHttp, eventId, "eu", result.registration.get("eu-west"));
    List<String> usTokens = registerTimed(usHttp, eventId, "us", result.registration.get("us-east"));
    int cutMessages = (int) Math.ceil(rate * cutSeconds);
    int afterMessages = (int) Math.ceil(rate * 5);
    int total = 2 * announcements + cutMessages + afterMessages;
    FanoutClients euClients = new FanoutClients(vertx, 1, total);
    FanoutClients usClients = new FanoutClients(vertx, 1, total);
    try {
      String subscribe = new JsonObject().put("type", "subscribe").put("topic", "event:" + eventId).encode();
      await(euClients.connect("127.0.0.1", euNode.port(), clients, i -> "/ws?token=" + euTokens.get(i),
          frame -> "subscribed".equals(frame.getString("type")),
          frame -> "welcome".equals(frame.getString("type")) ? subscribe : null));
      await(usClients.connect("127.0.0.1", usNode.port(), clients, i -> "/ws?token=" + usTokens.get(i),
          frame -> "subscribed".equals(frame.getString("type")),
          frame -> "welcome".equals(frame.getString("type")) ? subscribe : null));
      waitUntil(() -> euClients.ready() == clients && usClients.ready() == clients, 60);
      if (euClients.ready() < clients || usClients.ready() < clients) {
        throw new IllegalStateException("only " + euClients.ready() + " + " + usClients.ready() + " of " + 2 * clients
            + " clients were subscribed after a minute");
      }
      long[] sent = new long[total];
      boolean[] posted = new boolean[total];
      // across and within regions, from each side
      announce(euHttp, key, eventId, 0, announcements, sent, posted);
      waitUntil(() -> allHave(euClients, 0, announcements, posted) && allHave(usClients, 0, announcements, posted), 30);
      announce(usHttp, key, eventId, announcements, announcements, sent, posted);
      int firstCut = 2 * announcements;
      waitUntil(() -> allHave(euClients, announcements, firstCut, posted)
          && allHave(usClients, announcements, firstCut, posted), 30);
      record(result, "eu-west to eu-west", euClients, 0, announcements, sent);
      record(result, "eu-west to us-east", usClients, 0, announcements, sent);
      record(result, "us-east to us-east", usClients, announcements, firstCut, sent);
      record(result, "us-east to eu-west", euClients, announcements, firstCut, sent);

      // the link is cut: eu-west goes on announcing and registering, us-east's readiness is sampled
      link.forEach(DelayProxy::cut);
      long cutEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(cutSeconds);
      int id = firstCut;
      long start = System.nanoTime();
      List<Future<JsonObject>> registrations = new ArrayList<>();
      List<Future<JsonObject>> posts = new ArrayList<>();
      // registrations that hang on the cut link must not hold up the announcements' connections
      HttpClientAgent euRegistrations = http(vertx, euNode.port());
      long nextSample = start;
      while (System.nanoTime() < cutEnds && id < firstCut + cutMessages) {
        long due = start + (long) ((id - firstCut) * 1e9 / rate);
        sleepUntil(due);
        posts.add(post(euHttp, key, eventId, id, sent, posted));
        registrations.add(call(euRegistrations, HttpMethod.POST, "/api/events/" + eventId + "/registrations", null,
            attendee("cut-" + id)));
        id++;
        if (System.nanoTime() >= nextSample) {
          result.farReadySamples++;
          result.farReadyOk += ready(usHttp) ? 1 : 0;
          nextSample += TimeUnit.SECONDS.toNanos(1);
        }
      }
      sleepUntil(cutEnds);
      link.forEach(DelayProxy::restore);
      long restored = System.nanoTime();
      for (Future<JsonObject> post : posts) {
        await(post.transform(ar -> {
          result.cutAnnounced += ar.succeeded() ? 1 : 0;
          result.cutAnnounceFailed += ar.succeeded() ? 0 : 1;
          return Future.succeededFuture();
        }));
      }
      for (Future<JsonObject> registration : registrations) {
        await(registration.transform(ar -> {
          result.cutRegistered += ar.succeeded() ? 1 : 0;
          result.cutRegisterFailed += ar.succeeded() ? 0 : 1;
          return Future.succeededFuture();
        }));
      }
      int cutEnd = id;
      // after the link is back: a few more announcements, then everyone must have every announcement that was posted
      announce(euHttp, key, eventId, cutEnd, afterMessages, sent, posted);
      int last = cutEnd + afterMessages;
      waitUntil(() -> allHave(euClients, 0, last, posted) && allHave(usClients, 0, last, posted), 90);
      long caughtUp = 0;
      for (int m = firstCut; m < cutEnd; m++) {
        if (posted[m] && usClients.receivedBy(m) == clients) {
          caughtUp = Math.max(caughtUp, usClients.lastArrival(m) - restored);
        }
      }
      result.farCaughtUpSeconds = caughtUp / 1e9;
      for (int m = firstCut; m < last; m++) {
        result.farMissing += posted[m] ? Math.max(0, clients - usClients.receivedBy(m)) : 0;
      }
      for (int m = 0; m < last; m++) {
        if (posted[m]) {
          for (FanoutClients side : List.of(euClients, usClients)) {
            result.missing += Math.max(0, clients - side.receivedBy(m));
            result.duplicates += Math.max(0, side.receivedBy(m) - clients);
          }
        }
      }
    } finally {
      await(euClients.close());
      await(usClients.close());
    }
  }

  private void announce(HttpClientAgent http, String key, long eventId, int first, int count, long[] sent,
      boolean[] posted) throws Exception {
    long start = System.nanoTime();
    List<Future<JsonObject>> posts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sleepUntil(start + (long) (i * 1e9 / rate));
      posts.add(post(http, key, eventId, first + i, sent, posted));
    }
    await(Future.join(posts));
  }

  private Future<JsonObject> post(HttpClientAgent http, String key, long eventId, int id, long[] sent,
      boolean[] posted) {
    sent[id] = System.nanoTime();
    return call(http, HttpMethod.POST, "/api/events/" + eventId + "/announcements", key,
        new JsonObject().put("body", id + ":" + sent[id]))
        .onSuccess(ok -> posted[id] = true);
  }

  private List<String> registerTimed(HttpClientAgent http, long eventId, String prefix, Histogram latency)
      throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      long start = System.nanoTime();
      tokens.add(await(call(http, HttpMethod.POST, "/api/events/" + eventId + "/registrations", null,
          attendee(prefix + i))).getString("token"));
      latency.recordValue((System.nanoTime() - start) / 1000);
    }
    return tokens;
  }

  private static JsonObject attendee(String name) {
    return new JsonObject().put("name", "Attendee " + name).put("email", name + "-" + UUID.randomUUID()
        + "@regions.invalid").put("consent", true);
  }

  private static void record(Result result, String path, FanoutClients side, int from, int to, long[] sent) {
    Histogram histogram = new Histogram(3_600_000_000L, 3);
    for (int m = from; m < to; m++) {
      histogram.recordValue(Math.max(0, (side.lastArrival(m) - sent[m]) / 1000));
    }
    result.timeToAll.put(path, histogram);
  }

  private boolean allHave(FanoutClients side, int from, int to, boolean[] posted) {
    for (int m = from; m < to; m++) {
      if (posted[m] && side.receivedBy(m) < clients) {
        return false;
      }
    }
    return true;
  }

  private static HttpClientAgent http(Vertx vertx, int port) {
    return vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setConnectTimeout(5000), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  private static boolean ready(HttpClientAgent http) {
    try {
      return http.request(new RequestOptions().setURI("/health/ready").setTimeout(3000))
          .compose(request -> request.send()).map(response -> response.statusCode() == 200)
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return false;
    }
  }

  /** A request that must succeed (2xx); a request cut off by the link fails after 5 s rather than hold the run. */
  private static Future<JsonObject> call(HttpClientAgent http, HttpMethod method, String path, String bearer,
      JsonObject body) {
    return BenchApi.call(http, method, path, bearer, body).timeout(5, TimeUnit.SECONDS).map(answer -> {
      if (answer.status() >= 300) {
        throw new IllegalStateException("HTTP " + answer.status() + " " + answer.body());
      }
      return new JsonObject(answer.body());
    });
  }

  private static String host(String url) {
    return URI.create(url).getHost();
  }

  private static int port(String url, int defaultPort) {
    int port = URI.create(url).getPort();
    return port > 0 ? port : defaultPort;
  }

  /** The same URL with its host and port replaced by the relay's. */
  private static String through(String url, int defaultPort, DelayProxy proxy) {
    URI uri = URI.create(url);
    String authority = uri.getRawAuthority();
    String userInfo = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@') + 1) : "";
    String hostPort = authority.substring(userInfo.length());
    return url.replaceFirst(java.util.regex.Pattern.quote(userInfo + hostPort),
        java.util.regex.Matcher.quoteReplacement(userInfo + "127.0.0.1:" + proxy.port()));
  }

  private static void sleepUntil(long due) throws InterruptedException {
    long wait = due - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private static void waitUntil(BooleanSupplier condition, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private void print(PrintStream out, List<Result> results, Path work) {
    out.printf(Locale.ROOT, "%nfoyer bench regions: link of %d ms each way (%d ms round trip) between eu-west and "
        + "us-east; %d attendees per region; %d announcements from each region at %.1f/s; link cut for %d s; "
        + "%d cores, %s %s, %s; logs in %s%n%n", delayMillis, 2 * delayMillis, clients, announcements, rate,
        cutSeconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), LocalDate.now(), work);
    out.printf(Locale.ROOT, "%-44s", "");
    results.forEach(r -> out.printf(Locale.ROOT, " %-42s", r.mode.description));
    out.println();
    for (String path : List.of("eu-west to eu-west", "eu-west to us-east", "us-east to us-east",
        "us-east to eu-west")) {
      row(out, "time-to-all " + path + ", p50 / p99 ms", results, r -> pair(r.timeToAll.get(path)));
    }
    for (String region : List.of("eu-west", "us-east")) {
      row(out, "registration in " + region + ", p50 / p99 ms", results, r -> pair(r.registration.get(region)));
    }
    row(out, "link cut: eu-west announcements ok / failed", results,
        r -> r.cutAnnounced + " / " + r.cutAnnounceFailed);
    row(out, "link cut: eu-west registrations ok / failed", results,
        r -> r.cutRegistered + " / " + r.cutRegisterFailed);
    row(out, "link cut: us-east ready, samples", results, r -> r.farReadyOk + " of " + r.farReadySamples);
    row(out, "link back: us-east has all after, s", results, r -> r.farMissing > 0
        ? "never: " + r.farMissing + " deliveries missing after 90 s"
        : String.format(Locale.ROOT, "%.1f", r.farCaughtUpSeconds));
    row(out, "missing / duplicate deliveries", results, r -> r.missing + " / " + r.duplicates);
    row(out, "'Cluster member left' log lines", results, r -> Long.toString(r.membersLeft));
  }

  private static void row(PrintStream out, String label, List<Result> results,
      java.util.function.Function<Result, String> cell) {
    out.printf(Locale.ROOT, "%-44s", label);
    results.forEach(r -> out.printf(Locale.ROOT, " %-42s", cell.apply(r)));
    out.println();
  }

  private static String pair(Histogram histogram) {
    return histogram == null || histogram.getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.1f / %.1f",
        histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
