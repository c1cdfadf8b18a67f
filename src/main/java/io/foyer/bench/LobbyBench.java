package io.foyer.bench;

import static io.foyer.bench.BenchApi.await;
import static io.foyer.bench.BenchApi.expect;

import io.foyer.bench.BenchApi.Answer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `foyer bench lobby`: a burst of arrivals joins an event's lobby, then the bench follows the line as waiting
 * browsers do. The line is paused during the burst, so that the burst measures joins alone and admissions start
 * at a known time (the resume); the bench then learns "now serving" from the public status a few times a second,
 * exchanges each ticket of the followed places as soon as its turn comes, and registers with the admission.
 * It checks the places (unique, 1..A, later for a later join), the order and rate of admissions, that
 * registrations never outrun the rate, and reports the server's memory before and after the burst.
 */
@Command(name = "lobby", mixinStandardHelpOptions = true,
    description = "Lobby joins per second in a burst, join latency, then admission order and rate, registrations "
        + "through the lobby, and server memory while the arrivals wait.")
public final class LobbyBench implements Callable<Integer> {

  /** The burst's connections stay well below a process's 20,000 open files, on the bench's side and the node's. */
  private static final int MAX_CONCURRENCY = 10_000;
  /** The bench keeps every arrival's ticket, a few hundred bytes each: two million fit a default heap. */
  private static final int MAX_ARRIVALS = 2_000_000;
  /** How often the bench asks "now serving": as often as a node refreshes its view of a line. */
  private static final long POLL_MILLIS = 200;
  /** Requests of the baseline after the burst: enough for a steady rate, few enough to take seconds. */
  private static final int BASELINE_REQUESTS = 50_000;
  /**
   * The most a line may serve at once when it resumes: the credit of one tick of the driving node (the default
   * lobby.tickMillis), which it earned before the resume.
   */
  private static final double RESUME_CREDIT_SECONDS = 0.2;
  private static final double TOLERANCE = 0.05;
  /** The bench renews no ticket: an hour without a heartbeat keeps every place for any run. */
  private static final int TICKET_TTL_SECONDS = 3600;
  /** The longest line a lobby takes (LobbySettings): the warm-up's, which never fills. */
  private static final long MAX_QUEUE = 10_000_000;

  @Option(names = "--arrivals", defaultValue = "20000",
      description = "Joins in the burst (default: ${DEFAULT-VALUE})")
  int arrivals;

  @Option(names = "--rate", defaultValue = "2000", description = "The lobby's admission rate, attendees per second "
      + "(default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--concurrency", defaultValue = "256", description = "Keep-alive connections of the burst, each "
      + "with one join at a time; at most " + MAX_CONCURRENCY + " (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--admit", defaultValue = "-1", description = "Places followed from the front of the line: "
      + "admitted and registered (default: the arrivals, at most 20 seconds of admissions)")
  int admit;

  // a fresh node compiles its join path while it answers: the first burst into a cold node ran at a fifth of the
  // rate of the same burst a few seconds later
  @Option(names = "--warmup", defaultValue = "10", description = "Seconds of joins into a lobby of their own before "
      + "the measured burst, then two seconds of its admissions followed, none counted: the node's and the bench's "
      + "JIT compilers settle (default: ${DEFAULT-VALUE})")
  int warmup;

  @Mixin
  EventLoopsOption eventLoops = new EventLoopsOption();

  @Mixin
  Target target = new Target();

  @Override
  public Integer call() throws Exception {
    if (admit < 0) {
      admit = (int) Math.min(arrivals, Math.round(rate * 20));
    }
    if (arrivals < 1 || arrivals > MAX_ARRIVALS || !(rate >= 1 && rate <= 1_000_000) || concurrency < 1
        || concurrency > MAX_CONCURRENCY || admit > arrivals || warmup < 0 || !eventLoops.valid()
        || (target.url != null && target.apiKey == null)) {
      System.err.println("foyer bench lobby: --arrivals from 1 to " + MAX_ARRIVALS + ", --rate from 1 to 1000000, --concurrency "
          + "from 1 to " + MAX_CONCURRENCY + ", --admit at most the arrivals, --warmup at least 0, --event-loops "
          + "from 1 to 64, and --api-key with --url");
      return 2;
    }
    Map<String, String> environment = new HashMap<>(target.environment);
    // every arrival comes from this machine's one address: the node's limit per address (60 joins a minute by
    // default, for a public deployment) would refuse nearly all of them
    environment.put("FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE", "0");
    target.environment = environment;
    return BenchApi.onEventLoops(target, "lobby", eventLoops.count, this::run);
  }

  /** Server memory: resident (after a full collection; -1 when the bench did not start the node) and heap used. */
  private record Memory(long residentBytes, long heapBytes) {}

  private int run(Vertx vertx, URI base, String key, String where, ServerProcess node) throws Exception {
    List<Context> loops = BenchApi.eventLoopContexts(vertx, eventLoops.count);
    // the organizer's calls, and the followers' exchanges and registrations (two for each admission)
    HttpClientAgent http = client(vertx, base, concurrency);
    // "now serving" on a connection of its own, never queued behind a batch of exchanges
    HttpClientAgent poller = client(vertx, base, 1);
    try {
      Burst warm = null;
      Follow warmFollow = null;
      if (warmup > 0) {
        long warmEvent = pausedLine(http, key, "Lobby warm-up", MAX_QUEUE);
        String warmLobby = lobbyPath(warmEvent);
        // two seconds of admissions warm the exchange and registration too (cold, the first batches of the
        // measured line came seconds late); the warm-up checks nothing, and keeps only the places it follows
        int warmPlaces = (int) Math.min(admit, Math.round(rate * 2));
        warm = burst(vertx, loops, base, warmLobby, Integer.MAX_VALUE,
            System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup), new Burst(warmPlaces));
        expect(BenchApi.call(http, HttpMethod.POST, warmLobby + "/resume", key, null), 200);
        warmFollow = new Follow(http, poller, warmLobby, "/api/events/" + warmEvent, warm.ticketByPlace, warmPlaces);
        Follow started = warmFollow;
        await(BenchApi.on(loops.get(0), () -> started.start(vertx)));
        // the rest of its line stays where it is, so that the measured line is the only one moving
        expect(BenchApi.call(http, HttpMethod.POST, warmLobby + "/pause", key, null), 200);
      }
      long eventId = pausedLine(http, key, "Lobby", arrivals);
      String lobby = lobbyPath(eventId);
      // a tick of the driving node under way when the pause was written may have read the line still running
      Thread.sleep(1000);
      Memory before = memory(http, node);
      long nodeCpu = node == null ? 0 : node.cpuNanos();
      long benchCpu = benchCpuNanos();
      Burst burst = burst(vertx, loops, base, lobby, arrivals, Long.MAX_VALUE, new Burst(arrivals));
      // bench and node share the machine: whose CPU a join costs tells which of them limits the burst
      burst.nodeCpuSeconds = node == null ? Double.NaN : (node.cpuNanos() - nodeCpu) / 1e9;
      burst.benchCpuSeconds = (benchCpuNanos() - benchCpu) / 1e9;
      Memory after = memory(http, node);
      burst.baselinePerSecond = baseline(vertx, loops, base, Math.min(arrivals, BASELINE_REQUESTS));
      String early = refusedBeforeItsTurn(http, lobby, burst);
      expect(BenchApi.call(http, HttpMethod.POST, lobby + "/resume", key, null), 200);
      Follow follow = new Follow(http, poller, lobby, "/api/events/" + eventId, burst.ticketByPlace, admit);
      await(BenchApi.on(loops.get(0), () -> follow.start(vertx)));
      String stored = stored(http, key, eventId, follow.registered());
      return report(where, warm, warmFollow, burst, before, after, early, follow, stored);
    } finally {
      poller.close();
      http.close();
    }
  }

  /**
   * Creates an event whose lobby is always open, admits at the rate, keeps every ticket for the run and holds up
   * to maxQueue, and pauses its line; returns the event's id.
   */
  private long pausedLine(HttpClientAgent http, String key, String title, long maxQueue) throws Exception {
    long eventId = BenchApi.event(http, key, title);
    String lobby = lobbyPath(eventId);
    expect(BenchApi.call(http, HttpMethod.PUT, lobby + "/settings", key, new JsonObject().put("mode", "always")
        .put("admissionRate", rate).put("admissionPer", "second").put("maxQueue", maxQueue)
        .put("ticketTtlSeconds", TICKET_TTL_SECONDS)), 200);
    expect(BenchApi.call(http, HttpMethod.POST, lobby + "/pause", key, null), 200);
    return eventId;
  }

  private static long benchCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  private static String lobbyPath(long eventId) {
    return "/api/events/" + eventId + "/lobby";
  }

  // connections never expire: none is reopened in the middle of the burst
  private static HttpClientAgent client(Vertx vertx, URI base, int connections) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(0)
            .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  // ---- the burst ----

  /** What the burst saw, recorded from every loop. */
  private static final class Burst {
    /** The ticket the server gave each place; a place given twice keeps its first ticket. */
    final String[] ticketByPlace;
    final Histogram latencyMicros = new Histogram(3);
    /** Joins not given a place, by what came back. */
    final Map<String, Long> notAccepted = new TreeMap<>();
    long accepted;
    long duplicates;
    long outOfRange;
    long outOfOrder;
    double seconds;
    double nodeCpuSeconds;
    double benchCpuSeconds;
    double baselinePerSecond;

    Burst(int arrivals) {
      ticketByPlace = new String[arrivals + 1];
    }

    /** Records a join's answer; returns the latest place of its sender, whose next join must get a later one. */
    long joined(AsyncResult<Answer> answer, long sentNanos, long previousPlace) {
      long micros = (System.nanoTime() - sentNanos) / 1000;
      if (answer.failed() || answer.result().status() != 202) {
        String kind = answer.failed() ? "connection: " + answer.cause().getClass().getSimpleName()
            : answer.result().status() == 200 ? "HTTP 200: admitted at once, the lobby was closed"
            : "HTTP " + answer.result().status() + " " + BenchApi.problemCode(answer.result().body());
        synchronized (this) {
          notAccepted.merge(kind, 1L, Long::sum);
        }
        return previousPlace;
      }
      JsonObject waiting = new JsonObject(answer.result().body());
      Long place = waiting.getLong("place");
      synchronized (this) {
        latencyMicros.recordValue(micros);
        accepted++;
        if (place == null || place < 1 || place >= ticketByPlace.length) {
          outOfRange++;
          return previousPlace;
        }
        if (ticketByPlace[place.intValue()] != null) {
          duplicates++;
        } else {
          ticketByPlace[place.intValue()] = waiting.getString("ticket");
        }
        if (place <= previousPlace) {
          outOfOrder++;
        }
      }
      return place;
    }

    long missing() {
      return Arrays.stream(ticketByPlace, 1, ticketByPlace.length).filter(ticket -> ticket == null).count();
    }

    String verification() {
      if (duplicates + outOfRange + outOfOrder + missing() > 0) {
        int places = ticketByPlace.length - 1;
        return "FAILED: " + duplicates + " places given twice, " + outOfRange + " without a place in 1.." + places
            + ", " + outOfOrder + " not after their sender's previous place, " + missing() + " of 1.." + places
            + " never given";
      }
      return "ok: " + accepted + " places, each of 1.." + accepted + " once, every sender's later join behind its "
          + "earlier one";
    }
  }

  /**
   * Sends joins, as many as asked or until the deadline, from concurrency senders spread over the loops, each with
   * one join at a time over keep-alive connections of its loop's own pool (a connection lives on the loop that
   * opened it); records them in burst.
   */
  private Burst burst(Vertx vertx, List<Context> loops, URI base, String lobby, int joins, long deadlineNanos,
      Burst burst) throws Exception {
    AtomicInteger handedOut = new AtomicInteger();
    burst.seconds = spread(vertx, loops, base, (http, done) -> joinNext(http, lobby,
        () -> handedOut.getAndIncrement() < joins && System.nanoTime() < deadlineNanos, burst, 0, done));
    return burst;
  }

  /**
   * The same number of requests to the server's cheapest route, GET /health/live, over the same connections and
   * loops: what this machine allows any request, joins included, with this client. Returns requests per second.
   */
  private double baseline(Vertx vertx, List<Context> loops, URI base, int requests) throws Exception {
    AtomicInteger handedOut = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    double seconds = spread(vertx, loops, base, (http, done) -> askNext(http, handedOut, requests, answered, done));
    return answered.get() / seconds;
  }

  private static void askNext(HttpClientAgent http, AtomicInteger handedOut, int requests, AtomicInteger answered,
      Promise<Void> done) {
    if (handedOut.getAndIncrement() >= requests) {
      done.complete();
      return;
    }
    BenchApi.call(http, HttpMethod.GET, "/health/live", null, null).onComplete(answer -> {
      if (answer.succeeded() && answer.result().status() == 200) {
        answered.incrementAndGet();
      }
      askNext(http, handedOut, requests, answered, done);
    });
  }

  /**
   * Runs --concurrency senders spread over the loops, each over keep-alive connections of its loop's own pool (a
   * connection lives on the loop that opened it), one request at a time, until each says it is done; returns the
   * seconds it took.
   */
  private double spread(Vertx vertx, List<Context> loops, URI base,
      BiConsumer<HttpClientAgent, Promise<Void>> sender) throws Exception {
    int perLoop = (concurrency + loops.size() - 1) / loops.size();
    List<HttpClientAgent> clients = loops.stream().map(loop -> client(vertx, base, perLoop)).toList();
    List<Future<Void>> senders = new ArrayList<>();
    long start = System.nanoTime();
    for (int each = 0; each < concurrency; each++) {
      int loop = each % loops.size();
      senders.add(BenchApi.on(loops.get(loop), () -> {
        Promise<Void> done = Promise.promise();
        sender.accept(clients.get(loop), done);
        return done.future();
      }));
    }
    try {
      await(Future.all(senders));
    } finally {
      clients.forEach(HttpClientAgent::close);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void joinNext(HttpClientAgent http, String lobby, BooleanSupplier more, Burst burst, long lastPlace,
      Promise<Void> done) {
    if (!more.getAsBoolean()) {
      done.complete();
      return;
    }
    long sent = System.nanoTime();
    BenchApi.call(http, HttpMethod.POST, lobby, null, null).onComplete(answer ->
        joinNext(http, lobby, more, burst, burst.joined(answer, sent, lastPlace), done));
  }

  /** The first place, exchanged while the line is paused and nobody served: the server must say not yet. */
  private static String refusedBeforeItsTurn(HttpClientAgent http, String lobby, Burst burst) throws Exception {
    String ticket = burst.ticketByPlace.length > 1 ? burst.ticketByPlace[1] : null;
    if (ticket == null) {
      return "FAILED: no ticket of place 1 to exchange before its turn";
    }
    Answer answer = await(BenchApi.call(http, HttpMethod.POST, lobby + "/admission", null,
        new JsonObject().put("ticket", ticket)));
    if (answer.status() == 409 && "not-your-turn".equals(BenchApi.problemCode(answer.body()))) {
      return "ok: place 1, exchanged while the line was paused before serving anyone, was refused with 409 "
          + "not-your-turn";
    }
    return "FAILED: place 1, exchanged while the line was paused before serving anyone, got HTTP " + answer.status()
        + " " + answer.body();
  }

  // ---- following the line ----

  /**
   * The followed places as their browsers would go: told "now serving" by the public status, each exchanges its
   * ticket once its place is served and registers with the admission. On one loop's thread only.
   */
  private final class Follow {
    final HttpClientAgent http;
    final HttpClientAgent poller;
    final String lobby;
    final String event;
    final String[] ticketByPlace;
    /** The places followed: 1 to this. */
    final int places;
    /**
     * Of each followed place admitted, when the bench saw the line serve it (and sent its exchange), from the
     * resume: the server's pace, not the bench's, which catches up a batch at a time; 0: not admitted.
     */
    final long[] admittedNanos;
    /** When each followed place's registration was acknowledged, from the resume; 0: not. */
    final long[] registeredNanos;
    final Map<String, Long> errors = new TreeMap<>();
    final Promise<Void> done = Promise.promise();
    long startNanos;
    int nextPlace = 1;
    int settled;
    boolean polling;

    Follow(HttpClientAgent http, HttpClientAgent poller, String lobby, String event, String[] ticketByPlace,
        int places) {
      this.places = places;
      this.admittedNanos = new long[places + 1];
      this.registeredNanos = new long[places + 1];
      this.http = http;
      this.poller = poller;
      this.lobby = lobby;
      this.event = event;
      this.ticketByPlace = ticketByPlace;
    }

    Future<Void> start(Vertx vertx) {
      startNanos = System.nanoTime();
      if (places == 0) {
        return Future.succeededFuture();
      }
      long deadline = startNanos + TimeUnit.SECONDS.toNanos((long) (places / rate) + 60);
      vertx.setPeriodic(POLL_MILLIS, timer -> {
        if (done.future().isComplete()) {
          vertx.cancelTimer(timer);
        } else if (System.nanoTime() > deadline) {
          errors.merge("not settled a minute after the line should have served them", (long) (places - settled),
              Long::sum);
          done.tryComplete();
        } else if (!polling) {
          poll();
        }
      });
      return done.future();
    }

    private void poll() {
      polling = true;
      BenchApi.call(poller, HttpMethod.GET, lobby, null, null).onComplete(answer -> {
        polling = false;
        if (answer.failed() || answer.result().status() != 200) {
          errors.merge("status: " + kind(answer), 1L, Long::sum);
          return;
        }
        long serving = new JsonObject(answer.result().body()).getLong("serving");
        long seenNanos = System.nanoTime() - startNanos;
        for (; nextPlace <= Math.min(serving, places); nextPlace++) {
          exchange(nextPlace, seenNanos);
        }
      });
    }

    private void exchange(int place, long seenNanos) {
      String ticket = ticketByPlace[place];
      if (ticket == null) {
        settle("no ticket: the place was never given");
        return;
      }
      BenchApi.call(http, HttpMethod.POST, lobby + "/admission", null, new JsonObject().put("ticket", ticket))
          .onComplete(answer -> {
            if (answer.failed() || answer.result().status() != 200) {
              // the place was served when the bench sent it: a refusal here is the line out of order
              settle("exchange at its turn: " + kind(answer));
              return;
            }
            admittedNanos[place] = seenNanos;
            register(place, new JsonObject(answer.result().body()).getString("admission"));
          });
    }

    private void register(int place, String admission) {
      JsonObject attendee = new JsonObject().put("name", "Lobby Arrival " + place)
          .put("email", "lobby-" + startNanos + "-" + place + "@bench.invalid").put("consent", true);
      BenchApi.callWithHeaders(http, HttpMethod.POST, event + "/registrations",
          Map.of("Foyer-Admission", admission), attendee).onComplete(answer -> {
            if (answer.succeeded() && answer.result().status() == 201) {
              registeredNanos[place] = System.nanoTime() - startNanos;
              settle(null);
            } else {
              settle("registration: " + kind(answer));
            }
          });
    }

    private void settle(String error) {
      if (error != null) {
        errors.merge(error, 1L, Long::sum);
      }
      if (++settled == places) {
        done.tryComplete();
      }
    }

    long admitted() {
      return Arrays.stream(admittedNanos, 1, admittedNanos.length).filter(nanos -> nanos > 0).count();
    }

    long registered() {
      return Arrays.stream(registeredNanos, 1, registeredNanos.length).filter(nanos -> nanos > 0).count();
    }

    /**
     * Admissions per second: the least-squares slope of the places over the times the line served them, so that
     * admissions coming a poll's batch at a time skew neither end of the run.
     */
    double admittedPerSecond() {
      double n = 0;
      double sumT = 0;
      double sumP = 0;
      double sumTT = 0;
      double sumTP = 0;
      for (int place = 1; place <= places; place++) {
        if (admittedNanos[place] > 0) {
          double t = admittedNanos[place] / 1e9;
          n++;
          sumT += t;
          sumP += place;
          sumTT += t * t;
          sumTP += t * place;
        }
      }
      double spread = n * sumTT - sumT * sumT;
      return n < 2 || spread <= 0 ? Double.NaN : (n * sumTP - sumT * sumP) / spread;
    }

    double firstServedSeconds() {
      return Arrays.stream(admittedNanos, 1, admittedNanos.length).filter(nanos -> nanos > 0).min()
          .orElse(-1) / 1e9;
    }

    long[] registrationTimes() {
      return Arrays.stream(registeredNanos, 1, registeredNanos.length).filter(nanos -> nanos > 0).sorted().toArray();
    }
  }

  private static String kind(AsyncResult<Answer> answer) {
    return answer.failed() ? "connection: " + answer.cause().getClass().getSimpleName()
        : "HTTP " + answer.result().status() + " " + BenchApi.problemCode(answer.result().body());
  }

  /**
   * Whether registrations ever ran ahead of the line: at each acknowledgement, those so far must be no more than
   * the rate (+5%) allows since the resume. A bench that fell behind may then register faster than the rate for a
   * while (its admissions stay good): each second's count below shows it, and it is no fault of the line.
   */
  private String aheadOfTheRate(long[] sortedNanos) {
    long worstExcess = Long.MIN_VALUE;
    double worstSecond = 0;
    for (int i = 0; i < sortedNanos.length; i++) {
      double seconds = sortedNanos[i] / 1e9;
      long allowed = (long) (rate * ((1 + TOLERANCE) * seconds + RESUME_CREDIT_SECONDS)) + 1;
      if (i + 1 - allowed > worstExcess) {
        worstExcess = i + 1 - allowed;
        worstSecond = seconds;
      }
    }
    if (sortedNanos.length == 0) {
      return "ok: none to check";
    }
    return String.format(Locale.ROOT, worstExcess > 0
        ? "FAILED: %d more than the rate +5%% allows, %.1f s after the resume"
        : "ok: never ahead of the rate +5%% since the resume (closest: %d below it, %.1f s after the resume)",
        Math.abs(worstExcess), worstSecond);
  }

  /** Registrations answered in each whole second after the resume. */
  private static String perSecond(long[] sortedNanos) {
    if (sortedNanos.length == 0) {
      return "none";
    }
    long[] counts = new long[(int) (sortedNanos[sortedNanos.length - 1] / 1_000_000_000L) + 1];
    for (long nanos : sortedNanos) {
      counts[(int) (nanos / 1_000_000_000L)]++;
    }
    return String.join(" ", Arrays.stream(counts).mapToObj(Long::toString).toList());
  }

  // ---- the server's side ----

  /** The event holds (confirmed and waitlisted) exactly the registrations acknowledged through the lobby. */
  private static String stored(HttpClientAgent http, String key, long eventId, long registered) throws Exception {
    JsonObject stats = new JsonObject(expect(BenchApi.call(http, HttpMethod.GET, "/api/events/" + eventId + "/stats",
        key, null), 200));
    long held = stats.getLong("confirmed") + stats.getLong("waitlisted");
    return held == registered ? "ok: the database holds " + held + " = registrations acknowledged"
        : "MISMATCH: the database holds " + held + ", registrations acknowledged " + registered;
  }

  private static Memory memory(HttpClientAgent http, ServerProcess node) throws Exception {
    // the full collection the resident figure asks for comes first, so the heap is read after it too
    long resident = node == null ? -1 : node.residentBytesAfterGc();
    return new Memory(resident, heapUsed(expect(BenchApi.call(http, HttpMethod.GET, "/metrics", null, null), 200)));
  }

  /** The heap used, summed over its memory pools, from the node's Prometheus metrics. */
  private static long heapUsed(String metrics) {
    double bytes = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) bytes;
  }

  private static String megabytes(long before, long after) {
    return String.format(Locale.ROOT, "%.1f MB before, %.1f MB after (%+.1f MB)", before / 1e6, after / 1e6,
        (after - before) / 1e6);
  }

  // ---- the report ----

  private int report(String where, Burst warm, Follow warmFollow, Burst burst, Memory before, Memory after,
      String early, Follow follow, String stored) {
    System.out.printf(Locale.ROOT, "%nfoyer bench lobby: %d arrivals in a burst over %d connections on %d of the "
            + "bench's event loops into a paused line, then admitting %.0f/s, the first %d places followed; "
            + "%d cores, %s %s, %s%n%s%n%n", arrivals, concurrency, eventLoops.count, rate, admit,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), LocalDate.now(), where);
    if (warm != null) {
      System.out.printf(Locale.ROOT, "warm-up, not counted: %d joins accepted in %.1f s (%.0f/s) into a lobby of their "
          + "own, then %d of its first %d admitted and registered%s%n%n", warm.accepted, warm.seconds,
          warm.accepted / warm.seconds, warmFollow.registered(), warmFollow.places,
          warm.notAccepted.isEmpty() && warmFollow.errors.isEmpty() ? ""
              : "; not accepted " + warm.notAccepted + ", errors " + warmFollow.errors);
    }
    Histogram h = burst.latencyMicros;
    boolean anyJoin = h.getTotalCount() > 0;
    System.out.printf(Locale.ROOT, "%12s %10s %9s %9s %9s %14s%n", "accepted/s", "elapsed s", "p50 ms", "p99 ms",
        "max ms", "not accepted");
    System.out.printf(Locale.ROOT, "%12.0f %10.2f %9.2f %9.2f %9.2f %14d%n", burst.accepted / burst.seconds,
        burst.seconds, anyJoin ? h.getValueAtPercentile(50) / 1000.0 : Double.NaN,
        anyJoin ? h.getValueAtPercentile(99) / 1000.0 : Double.NaN, anyJoin ? h.getMaxValue() / 1000.0 : Double.NaN,
        arrivals - burst.accepted);
    System.out.printf(Locale.ROOT, "baseline, the same connections asking GET /health/live: %.0f/s; joins "
        + "accepted at %.0f%% of it%n", burst.baselinePerSecond, 100 * burst.accepted / burst.seconds
        / burst.baselinePerSecond);
    String nodeCpu = Double.isNaN(burst.nodeCpuSeconds) ? "node not measured (not started by the bench)"
        : String.format(Locale.ROOT, "node %.1f s (%.0f us a join)", burst.nodeCpuSeconds,
            burst.nodeCpuSeconds * 1e6 / burst.accepted);
    System.out.printf(Locale.ROOT, "%nCPU during the burst: %s, bench %.1f s (%.0f us a join), of %.1f "
        + "core-seconds%n%n", nodeCpu, burst.benchCpuSeconds, burst.benchCpuSeconds * 1e6 / burst.accepted,
        burst.seconds * Runtime.getRuntime().availableProcessors());
    if (!burst.notAccepted.isEmpty()) {
      System.out.println("joins not accepted, by answer: " + burst.notAccepted
          + (burst.notAccepted.keySet().stream().anyMatch(kind -> kind.endsWith("rate-limited"))
              ? " (every arrival comes from this one address: set lobby.joinsPerAddressPerMinute to 0 on the server)"
              : ""));
    }
    List<String> checks = new ArrayList<>();
    checks.add(burst.verification());
    System.out.println("places: " + checks.get(0));
    String waiting = "server memory with " + burst.accepted + " waiting: ";
    if (before.residentBytes() >= 0) {
      System.out.println(waiting + "resident (after a full collection) " + megabytes(before.residentBytes(),
          after.residentBytes()) + "; heap used " + megabytes(before.heapBytes(), after.heapBytes()));
    } else {
      System.out.println(waiting + "heap used (no collection forced) " + megabytes(before.heapBytes(),
          after.heapBytes()));
    }
    checks.add(early);
    System.out.println("before its turn: " + early);

    double admitted = follow.admittedPerSecond();
    String rateCheck = follow.admitted() < 2 ? "not measured: fewer than two admissions"
        : Math.abs(admitted / rate - 1) <= TOLERANCE ? "ok: within 5% of " + format(rate) + "/s"
        : "FAILED: not within 5% of " + format(rate) + "/s";
    checks.add(rateCheck.startsWith("not") ? "ok" : rateCheck);
    System.out.printf(Locale.ROOT, "admissions: %d of %d followed places, %s/s (least-squares slope of the places "
        + "over the times the bench saw the line serve them); %s%n", follow.admitted(), admit, format(admitted),
        rateCheck);
    long[] registered = follow.registrationTimes();
    System.out.printf(Locale.ROOT, "the bench first saw the line serve %.2f s after the resume; first registration "
        + "acknowledged after %.2f s%n", follow.firstServedSeconds(), registered.length == 0 ? Double.NaN
        : registered[0] / 1e9);
    String order = follow.errors.keySet().stream().anyMatch(error -> error.startsWith("exchange at its turn"))
        ? "FAILED: a place the line had served was refused (see errors)"
        : follow.admitted() == admit ? "ok: places 1.." + admit + " each admitted once the line served it, none "
            + "refused at its turn" : "FAILED: " + (admit - follow.admitted()) + " followed places not admitted";
    checks.add(order);
    System.out.println("admission order: " + order);

    String registrationCheck = aheadOfTheRate(registered);
    checks.add(registrationCheck);
    System.out.println("registrations: " + follow.registered() + " acknowledged of " + follow.admitted()
        + " admitted; " + registrationCheck);
    System.out.println("registrations in each second after the resume: " + perSecond(registered));
    if (!follow.errors.isEmpty()) {
      System.out.println("errors while following the line: " + follow.errors);
    }
    checks.add(stored);
    System.out.println("stored: " + stored);
    boolean ok = checks.stream().allMatch(check -> check.startsWith("ok")) && follow.errors.isEmpty();
    System.out.println("check: " + (ok ? "ok" : "FAILED"));
    return ok ? 0 : 1;
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%,.1f", value);
  }
}
