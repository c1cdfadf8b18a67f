package io.foyer.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What the WebSocket benches (votes, quiz) share: their event loops, their clients, and the HTTP calls that set
 * up their scene (an event, a poll or a quiz, attendees).
 */
final class BenchApi {

  /** Attendees registered and connected at once while setting up. */
  private static final int CONNECT_BATCH = 200;

  private BenchApi() {}

  /** A bench's run with its Vert.x, against the server at base with an organizer key. */
  @FunctionalInterface
  interface LoopRun {
    int against(Vertx vertx, URI base, String apiKey, String where) throws Exception;
  }

  /**
   * Runs a bench on a Vert.x of the given number of event loops; the bench places its sockets on them with
   * {@link #eventLoopContexts}.
   */
  static int onEventLoops(Target target, String scenario, int eventLoops, LoopRun run) throws Exception {
    return onEventLoops(target, scenario, eventLoops, (vertx, base, key, where, node) -> run.against(vertx, base, key,
        where));
  }

  /** A bench's run that also reads the node it started; node is null against --url. */
  @FunctionalInterface
  interface LoopNodeRun {
    int against(Vertx vertx, URI base, String apiKey, String where, ServerProcess node) throws Exception;
  }

  static int onEventLoops(Target target, String scenario, int eventLoops, LoopNodeRun run) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    try {
      return target.runWithNode(scenario, (base, key, where, node) -> run.against(vertx, base, key, where, node));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * One context on each of count event loops (a verticle instance each, placed round-robin over the loops), to
   * spread sockets over them: a socket stays on the context it was connected from.
   */
  static List<Context> eventLoopContexts(Vertx vertx, int count) throws Exception {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(count)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return List.copyOf(contexts);
  }

  /** Runs an action on a context; completes with its outcome. */
  static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future();
  }

  /** HTTP to set the scene up, and WebSockets, as many as asked, for the attendees. */
  record Clients(HttpClientAgent http, WebSocketClient ws) {

    static Clients of(Vertx vertx, URI base) {
      return new Clients(vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
          .setDefaultPort(base.getPort()), new PoolOptions().setHttp1MaxSize(64)),
          vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)));
    }

    void close() {
      ws.close();
      http.close();
    }
  }

  /** Makes count things (attendees, say) a batch at a time; returns them in order. */
  static <T> List<T> inBatches(int count, IntFunction<Future<T>> make) throws Exception {
    List<T> made = new ArrayList<>();
    for (int first = 0; first < count; first += CONNECT_BATCH) {
      List<Future<T>> batch = new ArrayList<>();
      for (int i = first; i < Math.min(count, first + CONNECT_BATCH); i++) {
        batch.add(make.apply(i));
      }
      made.addAll(await(Future.all(batch)).<T>list());
    }
    return made;
  }

  /** Choice options with these ids. */
  static JsonArray options(String... ids) {
    JsonArray options = new JsonArray();
    for (String id : ids) {
      options.add(new JsonObject().put("id", id).put("text", "Option " + id));
    }
    return options;
  }

  /** A response's status and body. */
  record Answer(int status, String body) {}

  static Future<Answer> call(HttpClientAgent http, HttpMethod method, String path, String bearer, JsonObject body) {
    return callWithHeaders(http, method, path, bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer),
        body);
  }

  static Future<Answer> callWithHeaders(HttpClientAgent http, HttpMethod method, String path,
      Map<String, String> headers, JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path);
    headers.forEach(options::putHeader);
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

  /** The stable code of a problem+json answer; empty when the body is not one. */
  static String problemCode(String body) {
    try {
      return new JsonObject(body).getString("code", "");
    } catch (RuntimeException e) {
      return "";
    }
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
