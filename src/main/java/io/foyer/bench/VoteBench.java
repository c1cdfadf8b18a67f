package io.foyer.bench;

import static io.foyer.bench.BenchApi.await;
import static io.foyer.bench.BenchApi.created;
import static io.foyer.bench.BenchApi.expect;

import io.foyer.bench.BenchApi.Clients;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `foyer bench votes`: attendees connected over real WebSockets vote in one live poll that allows changing a
 * vote, at a fixed total rate, each client with at most one vote in flight. Every acknowledgement means a durable
 * ballot, so the run checks at the end that the poll's live tally, its final results counted from the ballots
 * table, and each client's last acknowledged choice all agree.
 */
@Command(name = "votes", mixinStandardHelpOptions = true,
    description = "Durable votes per second over WebSockets, acknowledgement latency, result pushes, and a tally "
        + "check.")
public final class VoteBench implements Callable<Integer> {

  private static final String[] OPTIONS = {"a", "b", "c", "d"};
  /** After the last vote of a run is sent, how long a vote may go unanswered before it is counted as such. */
  private static final long UNANSWERED_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final String UNANSWERED = "unanswered";

  @Option(names = "--clients", defaultValue = "1000", description = "Attendees, each registered and connected "
      + "over its own WebSocket (default: ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--rate", defaultValue = "2000", description = "Votes offered per second in all (default: "
      + "${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds of voting (default: ${DEFAULT-VALUE})")
  int duration;

  @Option(names = "--warmup", defaultValue = "30", description = "Seconds of voting at the same rate before the "
      + "measured run, not counted: a new node's JIT compiler takes that long to settle (default: ${DEFAULT-VALUE})")
  int warmup;

  @Mixin
  EventLoopsOption eventLoops = new EventLoopsOption();

  @Mixin
  Target target = new Target();

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || clients > 15_000 || !(rate > 0) || duration < 1 || warmup < 0 || !eventLoops.valid()
        || (target.url != null && target.apiKey == null)) {
      System.err.println("foyer bench votes: --clients from 1 to 15000, --rate above 0, --duration at least 1, "
          + "--warmup at least 0, --event-loops from 1 to 64, and --api-key with --url");
      return 2;
    }
    return BenchApi.onEventLoops(target, "votes", eventLoops.count, (vertx, base, key, where) ->
        report(run(vertx, base, key), where));
  }

  /**
   * What a run saw. Latencies count from each vote's writing; sendLagMicros: how late each vote was written after
   * its due time, the load generator's own lag (its event loop busy, every client still waiting).
   */
  private record Outcome(long acknowledged, Map<String, Long> refused, Histogram latencyMicros, double seconds,
      long pushes, String verification, Histogram sendLagMicros) {}

  private Outcome run(Vertx vertx, URI base, String key) throws Exception {
    Clients clients = Clients.of(vertx, base);
    HttpClientAgent http = clients.http();
    try {
      long eventId = BenchApi.event(http, key, "Votes");
      String polls = "/api/events/" + eventId + "/polls";
      long pollId = created(BenchApi.call(http, HttpMethod.POST, polls, key, new JsonObject()
          .put("kind", "single_choice").put("question", "Which one?").put("options", BenchApi.options(OPTIONS))
          .put("allowChange", true)));
      expect(BenchApi.call(http, HttpMethod.POST, polls + "/" + pollId + "/launch", key, null), 200);
      expect(BenchApi.call(http, HttpMethod.POST, polls + "/" + pollId + "/reveal", key, null), 200);
      List<Loop> loops = BenchApi.eventLoopContexts(vertx, eventLoops.count).stream().map(Loop::new).toList();
      List<Voter> voters = BenchApi.inBatches(this.clients, i -> BenchApi.attendee(http, eventId, "Voter " + i)
          .compose(token -> {
            Loop loop = loops.get(i % loops.size());
            return BenchApi.on(loop.context, () -> open(clients.ws(), base, token, i == 0 ? "event:" + eventId : null,
                loop));
          }));
      if (warmup > 0) {
        vote(loops, pollId, warmup);
        voters.get(0).pushes = 0;
      }
      Outcome outcome = vote(loops, pollId, duration);
      String verification = verify(http, key, polls + "/" + pollId, voters);
      long unanswered = outcome.refused().getOrDefault(UNANSWERED, 0L);
      if (unanswered > 0) {
        verification = "FAILED: " + unanswered + " votes never answered within 30 s; " + verification;
      }
      return new Outcome(outcome.acknowledged(), outcome.refused(), outcome.latencyMicros(), outcome.seconds(),
          voters.get(0).pushes, verification, outcome.sendLagMicros());
    } finally {
      clients.close();
    }
  }

  /** One attendee: its socket, its vote in flight, and its last acknowledged choice; on its loop's thread only. */
  private static final class Voter {
    Loop loop;
    WebSocket socket;
    String inFlight;
    long sentNanos;
    String pendingChoice;
    String acknowledgedChoice;
    long pushes;
  }

  /** Connects an attendee; with a topic, subscribes to it (the first voter counts the result pushes). */
  private Future<Voter> open(WebSocketClient ws, URI base, String token, String topic, Loop loop) {
    Voter voter = new Voter();
    voter.loop = loop;
    loop.voters.add(voter);
    Promise<Voter> welcomed = Promise.promise();
    ws.connect(new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
        .setURI("/ws?token=" + token).setTimeout(60_000)).onSuccess(socket -> {
          voter.socket = socket;
          socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            String type = frame.getString("type");
            if ("welcome".equals(type) && topic != null) {
              socket.writeTextMessage(new JsonObject().put("type", "subscribe").put("topic", topic).encode());
            } else if ("welcome".equals(type) || "subscribed".equals(type)) {
              welcomed.tryComplete(voter);
            } else if ("message".equals(type) && "poll-results".equals(frame.getString("kind"))) {
              voter.pushes++;
            } else if (voter.inFlight != null && voter.inFlight.equals(frame.getString("re"))) {
              voter.loop.answered(voter, frame);
            }
          });
        }).onFailure(welcomed::tryFail);
    return welcomed.future();
  }

  /**
   * One of the bench's event loops: its share of the clients, which it sends votes for at its share of the rate
   * and reads the answers of, and what it saw; touched on its own thread only.
   */
  private final class Loop {
    final Context context;
    final List<Voter> voters = new ArrayList<>();
    Histogram latencies;
    Histogram sendLag;
    long acknowledged;
    /**
     * Votes answered with an error, by its code (overloaded, unavailable, ...: those were not taken), and votes
     * never answered (unanswered: a lost reply, which fails the run).
     */
    final Map<String, Long> refused = new TreeMap<>();

    Loop(Context context) {
      this.context = context;
    }

    void answered(Voter voter, JsonObject frame) {
      if ("voted".equals(frame.getString("type"))) {
        acknowledged++;
        latencies.recordValue(Math.max(0, (System.nanoTime() - voter.sentNanos) / 1000));
        voter.acknowledgedChoice = voter.pendingChoice;
      } else {
        refused.merge(frame.getString("code", "unknown"), 1L, Long::sum);
      }
      voter.inFlight = null;
    }

    /** Votes for the given seconds at the given rate; completes with the seconds it took, once all are answered. */
    Future<Double> vote(long pollId, int seconds, double loopRate) {
      latencies = new Histogram(3);
      sendLag = new Histogram(3);
      acknowledged = 0;
      refused.clear();
      long total = Math.round(loopRate * seconds);
      double intervalNanos = 1e9 / loopRate;
      Promise<Double> done = Promise.promise();
      long start = System.nanoTime();
      long[] sent = {0};
      long[] allSentAt = {0};
      int[] next = {0};
      context.owner().setPeriodic(1, timer -> {
        long due = Math.min(total, (long) ((System.nanoTime() - start) / intervalNanos) + 1);
        for (int skipped = 0; sent[0] < due && skipped < voters.size(); ) {
          Voter voter = voters.get(next[0]++ % voters.size());
          if (voter.inFlight != null) {
            skipped++;
            continue;
          }
          voter.inFlight = UUID.randomUUID().toString();
          voter.pendingChoice = OPTIONS[(int) (sent[0] % OPTIONS.length)];
          voter.sentNanos = System.nanoTime();
          sendLag.recordValue(Math.max(0, (voter.sentNanos - start - (long) (sent[0] * intervalNanos)) / 1000));
          voter.socket.writeTextMessage(new JsonObject().put("type", "vote").put("id", voter.inFlight)
              .put("pollId", pollId).put("voteId", UUID.randomUUID().toString())
              .put("answer", new JsonObject().put("option", voter.pendingChoice)).encode());
          sent[0]++;
        }
        if (sent[0] >= total) {
          long now = System.nanoTime();
          allSentAt[0] = allSentAt[0] == 0 ? now : allSentAt[0];
          boolean waiting = voters.stream().anyMatch(voter -> voter.inFlight != null);
          if (!waiting || now - allSentAt[0] > UNANSWERED_AFTER_NANOS) {
            // a vote never answered is a lost reply: counted, and it fails the run's check
            voters.stream().filter(voter -> voter.inFlight != null).forEach(voter -> {
              refused.merge(UNANSWERED, 1L, Long::sum);
              voter.inFlight = null;
            });
            context.owner().cancelTimer(timer);
            done.complete((now - start) / 1e9);
          }
        }
      });
      return done.future();
    }
  }

  /**
   * Votes for the given seconds at the offered rate, each loop its share; counts what this run saw only. The run
   * lasts as long as its slowest loop.
   */
  private Outcome vote(List<Loop> loops, long pollId, int seconds) throws Exception {
    List<Future<Double>> runs = loops.stream()
        .map(loop -> BenchApi.on(loop.context, () -> loop.vote(pollId, seconds, rate / loops.size()))).toList();
    await(Future.all(runs));
    double elapsed = runs.stream().mapToDouble(Future::result).max().orElse(0);
    // read once every loop is done: each completed its future after its last write to these
    Histogram latencies = new Histogram(3);
    Histogram sendLag = new Histogram(3);
    long acknowledged = 0;
    Map<String, Long> refused = new TreeMap<>();
    for (Loop loop : loops) {
      latencies.add(loop.latencies);
      sendLag.add(loop.sendLag);
      acknowledged += loop.acknowledged;
      loop.refused.forEach((code, n) -> refused.merge(code, n, Long::sum));
    }
    return new Outcome(acknowledged, refused, latencies, elapsed, 0, null, sendLag);
  }

  /** The live tally, the final results counted from the ballots table, and the clients' own record agree. */
  private String verify(HttpClientAgent http, String key, String poll, List<Voter> voters) throws Exception {
    Map<String, Long> expected = new HashMap<>();
    for (Voter voter : voters) {
      if (voter.acknowledgedChoice != null) {
        expected.merge(voter.acknowledgedChoice, 1L, Long::sum);
      }
    }
    JsonObject live = new JsonObject(expect(BenchApi.call(http, HttpMethod.GET, poll + "/results", key, null), 200));
    expect(BenchApi.call(http, HttpMethod.POST, poll + "/close", key, null), 200);
    JsonObject stored = new JsonObject(expect(BenchApi.call(http, HttpMethod.GET, poll + "/results", key, null), 200));
    Map<String, Long> liveCounts = counts(live);
    Map<String, Long> storedCounts = counts(stored);
    if (!liveCounts.equals(expected) || !storedCounts.equals(expected)) {
      return "MISMATCH: clients acknowledged " + expected + ", live tally " + liveCounts + ", ballots " + storedCounts;
    }
    return "ok: live tally = ballots in the database = each client's last acknowledged choice " + expected;
  }

  private static Map<String, Long> counts(JsonObject results) {
    Map<String, Long> counts = new HashMap<>();
    results.getJsonObject("counts", new JsonObject()).forEach(entry -> {
      long count = ((Number) entry.getValue()).longValue();
      if (count > 0) {
        counts.put(entry.getKey(), count);
      }
    });
    return counts;
  }

  private int report(Outcome outcome, String where) {
    System.out.printf(Locale.ROOT, "%nfoyer bench votes: %d attendees over WebSockets on %d of the bench's event "
            + "loops, one live poll, offered %.0f votes/s for %d s after a %d s warm-up; %d cores, %s %s, %s%n%s%n%n",
        clients, eventLoops.count, rate, duration, warmup,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), LocalDate.now(), where);
    Histogram h = outcome.latencyMicros();
    System.out.printf(Locale.ROOT, "%10s %10s %9s %9s %9s %10s %14s%n", "acked/s", "elapsed s", "p50 ms", "p99 ms",
        "max ms", "refused", "pushes/s");
    long refusedCount = outcome.refused().values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(Locale.ROOT, "%10.0f %10.1f %9.2f %9.2f %9.2f %10d %14.1f%n",
        outcome.acknowledged() / outcome.seconds(), outcome.seconds(), h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, refusedCount,
        outcome.pushes() / outcome.seconds());
    Histogram lag = outcome.sendLagMicros();
    System.out.printf(Locale.ROOT, "%nthe load generator's own lag, from a vote's due time to its writing: "
        + "p99 %.2f ms, max %.2f ms (not in the latencies above, which count from each vote's writing)%n",
        lag.getValueAtPercentile(99) / 1000.0, lag.getMaxValue() / 1000.0);
    System.out.println("check: " + outcome.verification() + "; acknowledged " + outcome.acknowledged()
        + (refusedCount == 0 ? "" : "; refused by code " + outcome.refused()));
    return outcome.verification().startsWith("ok") ? 0 : 1;
  }
}
