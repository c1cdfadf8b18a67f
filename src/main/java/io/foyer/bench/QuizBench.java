package io.foyer.bench;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `foyer bench quiz`: players connected over real WebSockets answer quiz questions inside their windows, each at
 * a random moment of the first half; the last question is measured, those before it warm the node up. When a
 * question closes at its deadline, the server pushes the leaderboard to everyone and each player's own result to
 * that player: the bench measures, by each player's clock, the time from the measured question's deadline (the
 * server's stamp) to the leaderboard and to the private result reaching it, and
 * checks that every player whose answer was acknowledged got its own result, with ranks 1 to N once each.
 */
@Command(name = "quiz", mixinStandardHelpOptions = true,
    description = "One quiz question answered by N players over WebSockets: deadline to leaderboard delivery.")
public final class QuizBench implements Callable<Integer> {

  private static final String[] OPTIONS = {"a", "b", "c", "d"};

  @Option(names = "--players", defaultValue = "1000", description = "Players, each registered and connected "
      + "over its own WebSocket (default: ${DEFAULT-VALUE})")
  int players;

  @Option(names = "--limit", defaultValue = "10", description = "The question's time limit in seconds; players "
      + "answer in its first half (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--warmup-questions", defaultValue = "3", description = "Questions asked and answered the same "
      + "way before the measured one, so that the node has run its close once warm (default: ${DEFAULT-VALUE})")
  int warmupQuestions;

  @Mixin
  EventLoopsOption eventLoops = new EventLoopsOption();

  @Mixin
  Target target = new Target();

  @Override
  public Integer call() throws Exception {
    if (players < 1 || players > 15_000 || limit < 1 || limit > 240 || !eventLoops.valid()
        || warmupQuestions < 0 || warmupQuestions > 50 || (target.url != null && target.apiKey == null)) {
      System.err.println("foyer bench quiz: --players from 1 to 15000, --limit from 1 to 240, --event-loops from 1 "
          + "to 64, --warmup-questions from 0 to 50, and --api-key with --url");
      return 2;
    }
    return BenchApi.onEventLoops(target, "quiz", eventLoops.count, (vertx, base, key, where) ->
        report(run(vertx, base, key), where));
  }

  /**
   * One player: its socket's registration, and its answer to the question asked now (position) and what reached
   * it after that question's deadline; touched on its socket's event loop (context) only.
   */
  private static final class Player {
    String registrationId;
    WebSocket socket;
    Context context;
    String thread;
    int subscribed;
    int position;
    long answerSentNanos;
    long ackMicros;
    String refusal;
    long leaderboardAtMillis;
    long resultAtMillis;
    JsonObject result;
    Promise<Void> done;

    /** Ready for the question at position; on the player's context. */
    void askedQuestion(int asked) {
      position = asked;
      answerSentNanos = 0;
      ackMicros = -1;
      refusal = null;
      leaderboardAtMillis = -1;
      resultAtMillis = -1;
      result = null;
      done = Promise.promise();
    }
  }

  /** What a run saw. */
  private record Outcome(List<Player> players, Instant deadline, String verification) {}

  private Outcome run(Vertx vertx, URI base, String key) throws Exception {
    Clients clients = Clients.of(vertx, base);
    HttpClientAgent http = clients.http();
    try {
      long eventId = BenchApi.event(http, key, "Quiz");
      String quizzes = "/api/events/" + eventId + "/quizzes";
      long quizId = created(BenchApi.call(http, HttpMethod.POST, quizzes, key, quiz()));
      String quiz = quizzes + "/" + quizId;
      expect(BenchApi.call(http, HttpMethod.POST, quiz + "/start", key, null), 200);
      List<Context> loops = BenchApi.eventLoopContexts(vertx, eventLoops.count);
      List<Player> connected = BenchApi.inBatches(players, i -> BenchApi.attendee(http, eventId, "Player " + i)
          .compose(token -> BenchApi.on(loops.get(i % loops.size()), () -> open(clients.ws(), base, token, eventId))));
      Instant deadline = null;
      // the warm-up questions first, then the measured one, the last
      for (int position = 1; position <= warmupQuestions + 1; position++) {
        deadline = ask(vertx, http, key, quiz, quizId, position, connected);
      }
      return new Outcome(connected, deadline, verify(connected, lastLeaderboard));
    } finally {
      clients.close();
    }
  }

  /**
   * Opens the question at position, has every player answer it, and waits until each has what it is owed (or for
   * at most a minute past the window: what is missing then is missing); returns the question's deadline.
   */
  private Instant ask(Vertx vertx, HttpClientAgent http, String key, String quiz, long quizId, int position,
      List<Player> connected) throws Exception {
    lastLeaderboard = null;
    Future.all(connected.stream().map(player -> BenchApi.on(player.context, () -> {
      player.askedQuestion(position);
      return Future.succeededFuture();
    })).toList()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    JsonObject opened = new JsonObject(expect(BenchApi.call(http, HttpMethod.POST, quiz + "/next", key, null), 200));
    Instant deadline = Instant.parse(opened.getJsonArray("questions").getJsonObject(position - 1)
        .getString("deadline"));
    answer(vertx, connected, quizId, position);
    Future<?> all = Future.join(connected.stream().map(player -> player.done.future()).toList());
    try {
      all.toCompletionStage().toCompletableFuture().get(limit + 60L, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // reported by the check
    }
    return deadline;
  }

  private JsonObject quiz() {
    JsonArray questions = new JsonArray();
    for (int i = 0; i <= warmupQuestions; i++) {
      questions.add(new JsonObject().put("kind", "single_choice").put("question", "Which one?")
          .put("options", BenchApi.options(OPTIONS))
          .put("correct", new JsonArray().add("a")).put("timeLimitSeconds", limit).put("points", 1000));
    }
    return new JsonObject().put("title", "Bench quiz").put("streakBonus", true).put("questions", questions);
  }

  // the last leaderboard push seen, by any of the bench's event loops
  private volatile JsonObject lastLeaderboard;

  /** Connects a player and subscribes it to the event's topic and its own; completes once both are live. */
  private Future<Player> open(WebSocketClient ws, URI base, String token, long eventId) {
    Player player = new Player();
    Promise<Player> ready = Promise.promise();
    ws.connect(new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
        .setURI("/ws?token=" + token).setTimeout(60_000)).onSuccess(socket -> {
          player.socket = socket;
          player.context = Vertx.currentContext();
          player.thread = Thread.currentThread().getName();
          socket.textMessageHandler(text -> {
            // stamped before anything else this bench does with the frame
            long arrivedMillis = System.currentTimeMillis();
            JsonObject frame = new JsonObject(text);
            switch (String.valueOf(frame.getString("type"))) {
              case "welcome" -> {
                player.registrationId = frame.getString("registrationId");
                subscribe(player, "event:" + eventId);
                subscribe(player, "attendee:" + player.registrationId);
              }
              case "subscribed" -> {
                if (++player.subscribed == 2) {
                  ready.tryComplete(player);
                }
              }
              case "answered" -> player.ackMicros = (System.nanoTime() - player.answerSentNanos) / 1000;
              case "error" -> refused(player, frame);
              case "message" -> pushed(player, frame, arrivedMillis);
              default -> { }
            }
          });
        }).onFailure(ready::tryFail);
    return ready.future();
  }

  private static void subscribe(Player player, String topic) {
    player.socket.writeTextMessage(new JsonObject().put("type", "subscribe").put("topic", topic).encode());
  }

  private static void refused(Player player, JsonObject frame) {
    player.refusal = frame.getString("code", "unknown");
    // a refused answer earns no private result: the leaderboard is all this player waits for
    if (player.leaderboardAtMillis >= 0) {
      player.done.tryComplete();
    }
  }

  private void pushed(Player player, JsonObject frame, long now) {
    if (player.done == null || !aboutTheQuestionAsked(player, frame)) {
      return;
    }
    switch (String.valueOf(frame.getString("kind"))) {
      case "quiz-results" -> {
        player.leaderboardAtMillis = now;
        lastLeaderboard = frame;
        if (player.refusal != null) {
          player.done.tryComplete();
        }
      }
      case "quiz-result" -> {
        player.resultAtMillis = now;
        player.result = frame.getJsonObject("data");
      }
      default -> { }
    }
    if (player.leaderboardAtMillis >= 0 && player.resultAtMillis >= 0) {
      player.done.tryComplete();
    }
  }

  /** Whether a pushed quiz-results or quiz-result is about the question the player was asked last. */
  private static boolean aboutTheQuestionAsked(Player player, JsonObject frame) {
    JsonObject data = frame.getJsonObject("data", new JsonObject());
    return switch (String.valueOf(frame.getString("kind"))) {
      case "quiz-results" -> data.getJsonObject("question", new JsonObject()).getInteger("position", 0)
          == player.position;
      case "quiz-result" -> data.getInteger("position", 0) == player.position;
      default -> false;
    };
  }

  /** Each player answers once, at a random moment of the first half of the window. */
  private void answer(Vertx vertx, List<Player> connected, long quizId, int position) {
    Random random = new Random(42L + position);
    long spreadMillis = Math.max(1, limit * 500L);
    for (Player player : connected) {
      long delay = 1 + (long) (random.nextDouble() * spreadMillis);
      String option = OPTIONS[random.nextInt(OPTIONS.length)];
      // on the player's own event loop, as everything else of the player
      player.context.runOnContext(v -> vertx.setTimer(delay, id -> {
        player.answerSentNanos = System.nanoTime();
        player.socket.writeTextMessage(new JsonObject().put("type", "answer").put("id", "a").put("quizId", quizId)
            .put("position", position).put("answerId", UUID.randomUUID().toString())
            .put("answer", new JsonObject().put("option", option)).encode());
      }));
    }
  }

  /**
   * Every player got the leaderboard, which counts every acknowledged answer; every acknowledged player got its own
   * result, answered, with ranks 1..N once each.
   */
  private static String verify(List<Player> connected, JsonObject leaderboard) {
    List<String> problems = new ArrayList<>();
    long acknowledged = connected.stream().filter(player -> player.ackMicros >= 0).count();
    if (leaderboard == null || leaderboard.getJsonObject("data").getLong("answered") != acknowledged) {
      problems.add("the leaderboard counts " + (leaderboard == null ? "nothing"
              : leaderboard.getJsonObject("data").getLong("answered"))
          + " answers, " + acknowledged + " were acknowledged");
    }
    long withoutLeaderboard = connected.stream().filter(player -> player.leaderboardAtMillis < 0).count();
    long withoutResult = connected.stream()
        .filter(player -> player.ackMicros >= 0 && (player.result == null || !player.result.getBoolean("answered")))
        .count();
    Set<Integer> ranks = new HashSet<>();
    connected.stream().filter(player -> player.result != null)
        .forEach(player -> ranks.add(player.result.getInteger("rank")));
    if (withoutLeaderboard > 0) {
      problems.add(withoutLeaderboard + " players never got the leaderboard");
    }
    if (withoutResult > 0) {
      problems.add(withoutResult + " acknowledged players never got their own result");
    }
    if (ranks.size() != acknowledged || !ranks.stream().allMatch(rank -> rank >= 1 && rank <= acknowledged)) {
      problems.add("private ranks are not 1.." + acknowledged + " once each");
    }
    return problems.isEmpty() ? "ok: every player got the leaderboard, counting the " + acknowledged
        + " acknowledged answers, and each of those players its own result (ranks 1.." + acknowledged + " once each)"
        : "FAILED: " + String.join("; ", problems);
  }

  private int report(Outcome outcome, String where) {
    System.out.printf(Locale.ROOT, "%nfoyer bench quiz: %d players over WebSockets, questions of %d s answered "
            + "in their first half, measured on the last of %d; %d cores, %s %s, %s%n%s%n%n", players, limit,
        warmupQuestions + 1,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), LocalDate.now(), where);
    Histogram acks = new Histogram(3);
    Histogram leaderboard = new Histogram(3);
    Histogram results = new Histogram(3);
    Map<String, Long> refused = new TreeMap<>();
    long deadline = outcome.deadline().toEpochMilli();
    for (Player player : outcome.players()) {
      if (player.ackMicros >= 0) {
        acks.recordValue(player.ackMicros);
      }
      if (player.refusal != null) {
        refused.merge(player.refusal, 1L, Long::sum);
      }
      if (player.leaderboardAtMillis >= 0) {
        leaderboard.recordValue(Math.max(0, player.leaderboardAtMillis - deadline));
      }
      if (player.resultAtMillis >= 0) {
        results.recordValue(Math.max(0, player.resultAtMillis - deadline));
      }
    }
    System.out.printf(Locale.ROOT, "%9s %9s %12s %12s | %-26s | %-26s%n", "answered", "refused", "ack p50 ms",
        "ack p99 ms", "leaderboard after deadline", "own result after deadline");
    System.out.printf(Locale.ROOT, "%9d %9d %12.2f %12.2f | %-26s | %-26s%n", acks.getTotalCount(),
        refused.values().stream().mapToLong(Long::longValue).sum(), acks.getValueAtPercentile(50) / 1000.0,
        acks.getValueAtPercentile(99) / 1000.0, millis(leaderboard), millis(results));
    System.out.println();
    if (lastLeaderboard != null) {
      // the message's "at" is when the node published it: what came before is the node's close, after it the
      // delivery to every socket and the bench reading it
      System.out.println("the node published the leaderboard " + (Instant.parse(lastLeaderboard.getString("at"))
          .toEpochMilli() - deadline) + " ms after the deadline (its message's \"at\")");
    }
    System.out.println("players' sockets read on " + outcome.players().stream().map(player -> player.thread)
        .distinct().count() + " of the bench's event loops");
    System.out.println("times after the deadline by the bench's clock, the same machine's as the node's unless --url; "
        + "they include the server's grace for late answers");
    System.out.println("check: " + outcome.verification() + (refused.isEmpty() ? "" : "; refused by code " + refused));
    return outcome.verification().startsWith("ok") ? 0 : 1;
  }

  private static String millis(Histogram h) {
    return h.getTotalCount() == 0 ? "none" : String.format(Locale.ROOT, "p50 %d p99 %d max %d ms",
        h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
  }
}
