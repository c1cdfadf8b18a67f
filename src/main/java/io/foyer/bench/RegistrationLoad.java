package io.foyer.bench;

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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives registrations at a fixed rate (open loop) against a Foyer server over a bounded number of
 * keep-alive connections, and records what came back.
 */
final class RegistrationLoad {

  private static final long TICK_MILLIS = 1;

  private final Vertx vertx;
  private final URI base;
  private final HttpClientAgent client;
  private final String runId = Long.toString(System.currentTimeMillis(), 36);
  private final AtomicLong sequence = new AtomicLong();

  RegistrationLoad(Vertx vertx, URI base, int concurrency) {
    this.vertx = vertx;
    this.base = base;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
            .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()),
        new PoolOptions().setHttp1MaxSize(concurrency).setMaxWaitQueueSize(-1));
  }

  /** Creates an event without capacity limit and returns its id. */
  Future<Long> createEvent(String apiKey, String title) {
    JsonObject event = new JsonObject().put("title", title).put("startsAt", "2030-01-01T09:00:00Z")
        .put("endsAt", "2030-01-01T18:00:00Z").put("timeZone", "UTC").put("defaultLanguage", "en");
    return call(HttpMethod.POST, "/api/events", apiKey, event).compose(response -> response.statusCode() == 201
        ? Future.succeededFuture(new JsonObject(response.body()).getLong("id"))
        : Future.failedFuture("could not create the benchmark event: HTTP " + response.statusCode() + " "
            + response.body()));
  }

  /** Registrations the server holds for the event (confirmed and waiting). */
  Future<Long> storedRegistrations(String apiKey, long eventId) {
    return call(HttpMethod.GET, "/api/events/" + eventId + "/stats", apiKey, null).map(response -> {
      JsonObject stats = new JsonObject(response.body());
      return (long) stats.getInteger("confirmed") + stats.getInteger("waitlisted");
    });
  }

  /** Sends rate registrations per second for the given time, then waits for every answer. */
  Future<LoadResult> run(String name, long eventId, double rate, Duration duration) {
    LoadResult result = new LoadResult(name, rate, duration.toMillis() / 1000.0);
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
        send(eventId, intended, result).onComplete(ar -> {
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
    return done.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private Future<Void> send(long eventId, long intendedNanos, LoadResult result) {
    long n = sequence.incrementAndGet();
    JsonObject body = new JsonObject().put("name", "Bench Attendee " + n)
        .put("email", "bench-" + runId + "-" + n + "@bench.invalid").put("consent", true);
    return call(HttpMethod.POST, "/api/events/" + eventId + "/registrations", null, body)
        .map(response -> {
          if (response.statusCode() == 201) {
            result.acknowledged((System.nanoTime() - intendedNanos) / 1000);
          } else {
            String code = response.statusCode() >= 400 ? problemCode(response.body()) : "";
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
    // an answer that never comes is counted as an error after 30 s instead of holding the run forever
    RequestOptions options = new RequestOptions().setMethod(method).setURI(base.getPath().replaceAll("/$", "") + path)
        .setIdleTimeout(30_000);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body.toBuffer()))
        .compose(response -> response.body().map(buffer -> new Answer(response.statusCode(), buffer.toString())));
  }

  private static String problemCode(String body) {
    try {
      return new JsonObject(body).getString("code", "");
    } catch (RuntimeException e) {
      return "";
    }
  }

  Future<Void> close() {
    return client.close();
  }

}
