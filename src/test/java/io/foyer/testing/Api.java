package io.foyer.testing;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A blocking HTTP client for tests, speaking to one node as organizers and attendees do. */
public final class Api implements AutoCloseable {

  private final Vertx vertx;
  private final WebClient client;

  public Api(int port) {
    this.vertx = Vertx.vertx();
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        , new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String bearer, Object body) throws Exception {
    HttpRequest<Buffer> request = client.request(method, path);
    if (bearer != null) {
      request.bearerTokenAuthentication(bearer);
    }
    if (body == null) {
      return await(request.send());
    }
    request.putHeader("Content-Type", "application/json");
    return await(request.sendBuffer(Buffer.buffer(body.toString())));
  }

  public HttpResponse<Buffer> get(String path, String bearer) throws Exception {
    return send(HttpMethod.GET, path, bearer, null);
  }

  public HttpResponse<Buffer> post(String path, String bearer, JsonObject body) throws Exception {
    return send(HttpMethod.POST, path, bearer, body);
  }

  public HttpResponse<Buffer> patch(String path, String bearer, JsonObject body) throws Exception {
    return send(HttpMethod.PATCH, path, bearer, body);
  }

  public HttpResponse<Buffer> delete(String path, String bearer) throws Exception {
    return send(HttpMethod.DELETE, path, bearer, null);
  }

  /** The raw client, for requests the helpers above do not cover (headers, concurrency). */
  public WebClient client() {
    return client;
  }

  /** Creates an event as the admin organizer, with the given members over sensible defaults; returns its id. */
  public long createEvent(JsonObject overrides) throws Exception {
    HttpResponse<Buffer> response = post("/api/events", TestNodes.ADMIN_KEY, event(overrides));
    if (response.statusCode() != 201) {
      throw new AssertionError("event not created: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getLong("id");
  }

  /** Creates a session of the event as the admin organizer, during the event's default times; returns its id. */
  public long createSession(long eventId) throws Exception {
    JsonObject times = event(new JsonObject());
    HttpResponse<Buffer> response = post("/api/events/" + eventId + "/sessions", TestNodes.ADMIN_KEY,
        new JsonObject().put("title", "Keynote").put("startsAt", times.getString("startsAt"))
            .put("endsAt", times.getString("endsAt")));
    if (response.statusCode() != 201) {
      throw new AssertionError("session not created: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getLong("id");
  }

  /** Issues a presenter token for the event (and session, when not null) as the admin organizer. */
  public JsonObject issuePresenterToken(long eventId, Long sessionId) throws Exception {
    HttpResponse<Buffer> response = post("/api/events/" + eventId + "/presenter-tokens", TestNodes.ADMIN_KEY,
        new JsonObject().put("name", "Grace Hopper").put("sessionId", sessionId));
    if (response.statusCode() != 201) {
      throw new AssertionError("presenter token not issued: " + response.statusCode() + " "
          + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /** A valid event definition (a one-day event tomorrow) with the given members replaced. */
  public static JsonObject event(JsonObject overrides) {
    Instant start = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
    return new JsonObject()
        .put("title", TestServices.unique("Launch"))
        .put("description", "A product launch")
        .put("startsAt", start.toString())
        .put("endsAt", start.plus(8, ChronoUnit.HOURS).toString())
        .put("timeZone", "Europe/Paris")
        .put("defaultLanguage", "en")
        .put("fields", new JsonArray())
        .mergeIn(overrides);
  }

  /** A valid registration body for the given email. */
  public static JsonObject attendee(String email) {
    return new JsonObject().put("name", "Ada Lovelace").put("email", email).put("consent", true);
  }

  /** Asserts a problem+json response of the given status and stable code. */
  public static void assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:foyer:problem:" + code);
  }

  @Override
  public void close() throws Exception {
    client.close();
    await(vertx.close());
  }
}
