package io.foyer.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** The HTTP calls the WebSocket benches make to set up their scene (an event, a poll, a quiz, attendees). */
final class BenchApi {

  private BenchApi() {}

  /** A response's status and body. */
  record Answer(int status, String body) {}

  static Future<Answer> call(HttpClientAgent http, HttpMethod method, String path, String bearer, JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body.toBuffer()))
        .compose(response -> response.body().map(buffer -> new Answer(response.statusCode(), buffer.toString())))
        .timeout(60, TimeUnit.SECONDS);
  }

  /** Creates an event for the bench as the organizer with that key; returns its id. */
  static long event(HttpClientAgent http, String key, String title) throws Exception {
    return created(call(http, HttpMethod.POST, "/api/events", key, new JsonObject().put("title", title)
        .put("startsAt", "2030-01-01T09:00:00Z").put("endsAt", "2030-01-01T18:00:00Z").put("timeZone", "UTC")
        .put("defaultLanguage", "en")));
  }

  /** Registers an attendee of the event; completes with its token. */
  static Future<String> attendee(HttpClientAgent http, long eventId, String name) {
    JsonObject attendee = new JsonObject().put("name", name)
        .put("email", "attendee-" + java.util.UUID.randomUUID() + "@bench.invalid").put("consent", true);
    return call(http, HttpMethod.POST, "/api/events/" + eventId + "/registrations", null, attendee)
        .map(answer -> new JsonObject(answer.body()).getString("token"));
  }

  /** The id of what a 201 created. */
  static long created(Future<Answer> answer) throws Exception {
    return new JsonObject(expect(answer, 201)).getLong("id");
  }

  /** The body of an answer of the given status; anything else stops the bench. */
  static String expect(Future<Answer> pending, int status) throws Exception {
    Answer answer = await(pending);
    if (answer.status() != status) {
      throw new IllegalStateException("the server answered " + answer.status() + ": " + answer.body());
    }
    return answer.body();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
