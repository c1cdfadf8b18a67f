package io.foyer.bench;

import io.foyer.problem.ProblemType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Drives registrations at a fixed rate (open loop) against a Foyer server over a bounded number of
 * keep-alive connections, and records what came back.
 */
final class RegistrationLoad {

  private static final long TICK_MILLIS = 1;
  private static final long CALL_TIMEOUT_SECONDS = 60;

  private final Vertx vertx;
  /**
   * Every run sends and reads on this one event loop. Called from the bench's main thread, setPeriodic would
   * otherwise start each run on a new context, on another event loop than the one holding the pooled
   * connections, and every request and answer of the measured run would cross threads.
   */
  private final Context context;
  private final URI base;
  private final HttpClientAgent client;
  private final String runId = Long.toString(System.currentTimeMillis(), 36);
  private final AtomicLong sequence = new AtomicLong();

  RegistrationLoad(Vertx vertx, URI base, int concurrency) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.base = base;
    // connections never expire (Vert.x closes those idle for 60 s by default): connections opened during the
    // warm-up and idle since would otherwise all be closed and reopened together in the measured run, and that
    // churn stalled this one event loop for 200-300 ms, which the run then counted as the server's latency
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(0)
            .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()),
        new PoolOptions().setHttp1MaxSize(concurrency).setMaxWaitQueueSize(-1));
  }

  /** Creates the scenario's events, with its capacity each, and returns their ids in order. */
  Future<List<Long>> createEvents(String apiKey, String title, Scenario scenario) {
    return onContext(() -> createEventsHere(apiKey, title, scenario));
  }

  private Future<List<Long>> createEventsHere(String apiKey, String title, Scenario scenario) {
    List<Future<Long>> created = new ArrayList<>();
    for (int i = 0; i < scenario.eventCount; i++) {
      created.add(createEvent(apiKey, scenario.eventCount == 1 ? title : title + " " + (i + 1), scenario.capacity));
    }
    return Future.all(created).map(all -> all.<Long>list());
  }

  private Future<Long> createEvent(String apiKey, String title, Integer capacity) {
    JsonObject event = new JsonObject().put("title", title).put("startsAt", "2030-01-01T09:00:00Z")
        .put("endsAt", "2030-01-01T18:00:00Z").put("timeZone", "UTC").put("defaultLanguage", "en");
    if (capacity != null) {
      event.put("capacity", capacity);
    }
    return call(HttpMethod.POST, "/api/events", apiKey, event).compose(response -> response.statusCode() == 201
        ? Future.succeededFuture(new JsonObject(response.body()).getLong("id"))
        : Future.failedFuture("could not create the benchmark event: HTTP " + response.statusCode() + " "
            + response.body()));
  }

  /** The event's seat counts as the server holds them: confirmed, waitlisted, cancelled. */
  Future<JsonObject> stats(String apiKey, long eventId) {
    return onContext(() -> statsOnce(apiKey, eventId).recover(first -> statsOnce(apiKey, eventId)));
  }

  private Future<JsonObject> statsOnce(String apiKey, long eventId) {
    return call(HttpMethod.GET, "/api/events/" + eventId + "/stats", apiKey, null).compose(response ->
        response.statusCode() == 200 ? Future.succeededFuture(new JsonObject(response.body()))
            : Future.failedFuture("could not read the stats of event " + eventId + ": HTTP " + response.statusCode()
                + " " + response.body()));
  }

  /** Whether the server answers its readiness check with 200. */
  Future<Boolean> ready() {
    return onContext(() -> call(HttpMethod.GET, "/health/ready", null, null)
        .map(response -> response.statusCode() == 200).otherwise(false));
  }

  /**
   * Sends rate registrations per second for the given time, the n-th to events[n % events], then waits for
   * every answer.
   */
  Future<LoadResult> run(String name, List<Long> events, double rate, Duration duration) {
    return onContext(() -> runHere(name, events, rate, duration));
  }

  private Future<LoadResult> runHere(String name, List<Long> events, double rate, Duration duration) {
    LoadResult result = new LoadResult(name, rate, duration.toMillis() / 1000.0, events.size());
    long total = Math.round(rate * duration.toMillis() / 1000.0);
    long start = System.nanoTime();
    double intervalNanos = 1_000_000_000.0 / rate;
    Promise<LoadResult> done = Promise.promise();
    AtomicLong answered = new AtomicLong();
    long[] scheduled = {0};
    long timer = vertx.setPeriodic(TICK_MILLIS, id -> {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / intervalNanos) + 1);
      for (; scheduled[0] < due; scheduled[0]++) {
        long intended = start + (long) (scheduled[0] * intervalNanos);
        int event = (int) (scheduled[0] % events.size());
        send(events.get(event), event, start, intended, result).onComplete(ar -> {
          if (answered.incrementAndGet() == total) {
            result.elapsedSeconds = (System.nanoTime() - start) / 1e9;
            done.tryComplete(result);
          }
        });
      }
      if (scheduled[0] >= total) {
        vertx.cancelTimer(id);
      }
    });
    result.sent = total;
    if (total == 0) {
      done.tryComplete(result);
    }
    return done.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private Future<Void> send(long eventId, int event, long startNanos, long intendedNanos, LoadResult result) {
    long n = sequence.incrementAndGet();
    JsonObject body = new JsonObject().put("name", "Bench Attendee " + n)
        .put("email", "bench-" + runId + "-" + n + "@bench.invalid").put("consent", true);
    return call(HttpMethod.POST, "/api/events/" + eventId + "/registrations", null, body,
        () -> result.sent((System.nanoTime() - intendedNanos) / 1000))
        .map(response -> {
          String code = response.statusCode() >= 400 ? BenchApi.problemCode(response.body()) : "";
          if (response.statusCode() == 201) {
            result.acknowledged(event, (intendedNanos - startNanos) / 1e9, (System.nanoTime() - intendedNanos) / 1000);
          } else if (response.statusCode() == 503 && retryable(code)) {
            // not retried: a refusal under load is the figure, not something to hide
            result.refused((System.nanoTime() - intendedNanos) / 1000);
          } else {
            result.error("HTTP " + response.statusCode() + (code.isEmpty() ? "" : " " + code));
          }
          return (Void) null;
        })
        .recover(err -> {
          result.error("connection: " + err.getClass().getSimpleName());
          return Future.succeededFuture();
        });
  }

  private record Answer(int statusCode, String body) {}

  private Future<Answer> call(HttpMethod method, String path, String bearer, JsonObject body) {
    return call(method, path, bearer, body, () -> { });
  }

  /** onWrite runs when the request has its connection and is about to be written. */
  private Future<Answer> call(HttpMethod method, String path, String bearer, JsonObject body, Runnable onWrite) {
    // an answer that never comes, or a pooled connection that is never handed out, is counted as an error
    // after 30 s instead of holding the run forever
    RequestOptions options = new RequestOptions().setMethod(method).setURI(base.getPath().replaceAll("/$", "") + path)
        .setConnectTimeout(30_000).setIdleTimeout(30_000);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    // and whatever else leaves a call unanswered (a stats call after a run once waited ten minutes with both
    // timeouts set) fails it after a minute, so that the run ends and a retry gets its chance
    return client.request(options)
        .compose(request -> {
          onWrite.run();
          return body == null ? request.send() : request.send(body.toBuffer());
        })
        .compose(response -> response.body().map(buffer -> new Answer(response.statusCode(), buffer.toString())))
        .timeout(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private static boolean retryable(String code) {
    return Arrays.stream(ProblemType.values()).anyMatch(type -> type.retryable() && type.code().equals(code));
  }

  Future<Void> close() {
    return client.close();
  }

}
