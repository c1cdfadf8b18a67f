package io.foyer.interactions;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.Api;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Polls as organizers and attendees drive them over HTTP, for the interactions tests. */
final class PollFixtures {

  private final Api api;

  PollFixtures(Api api) {
    this.api = api;
  }

  static String polls(long eventId) {
    return "/api/events/" + eventId + "/polls";
  }

  static JsonObject singleChoice(boolean allowChange) {
    return new JsonObject().put("kind", "single_choice").put("question", "Which fruit?")
        .put("translations", new JsonObject().put("fr", "Quel fruit ?"))
        .put("options", new JsonArray()
            .add(option("a", "Apples", "Pommes")).add(option("b", "Pears", "Poires")).add(option("c", "Plums", null)))
        .put("allowChange", allowChange);
  }

  static JsonObject option(String id, String text, String french) {
    JsonObject option = new JsonObject().put("id", id).put("text", text);
    return french == null ? option : option.put("translations", new JsonObject().put("fr", french));
  }

  /** Creates a draft as the admin organizer; returns it. */
  JsonObject create(long eventId, JsonObject definition) throws Exception {
    HttpResponse<Buffer> created = api.post(polls(eventId), ADMIN_KEY, definition);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  HttpResponse<Buffer> act(long eventId, long pollId, String action) throws Exception {
    return api.post(polls(eventId) + "/" + pollId + "/" + action, ADMIN_KEY, null);
  }

  /** Creates and launches a poll; returns its id. */
  long live(long eventId, JsonObject definition) throws Exception {
    long pollId = create(eventId, definition).getLong("id");
    HttpResponse<Buffer> launched = act(eventId, pollId, "launch");
    assertThat(launched.statusCode()).as(launched.bodyAsString()).isEqualTo(200);
    return pollId;
  }

  /** Registers attendees of the event; returns their tokens. */
  /** Registers one attendee who reads in the given language; returns its token. */
  String attendee(long eventId, String language) throws Exception {
    HttpResponse<Buffer> registered = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee(UUID.randomUUID() + "@example.org").put("language", language));
    assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(201);
    return registered.bodyAsJsonObject().getString("token");
  }

  List<String> attendees(long eventId, int count) throws Exception {
    List<Future<HttpResponse<Buffer>>> registering = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      registering.add(api.client().post("/api/events/" + eventId + "/registrations")
          .sendJsonObject(Api.attendee(UUID.randomUUID() + "@example.org")));
    }
    List<String> tokens = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> registered : registering) {
      HttpResponse<Buffer> response = await(registered);
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
      tokens.add(response.bodyAsJsonObject().getString("token"));
    }
    return tokens;
  }

  HttpResponse<Buffer> vote(long eventId, long pollId, String token, String voteId, JsonObject answer)
      throws Exception {
    return await(voteAsync(eventId, pollId, token, voteId, answer));
  }

  Future<HttpResponse<Buffer>> voteAsync(long eventId, long pollId, String token, String voteId, JsonObject answer) {
    return api.client().request(HttpMethod.POST, polls(eventId) + "/" + pollId + "/ballots")
        .bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("voteId", voteId).put("answer", answer));
  }

  JsonObject results(long eventId, long pollId) throws Exception {
    HttpResponse<Buffer> results = api.get(polls(eventId) + "/" + pollId + "/results", ADMIN_KEY);
    assertThat(results.statusCode()).as(results.bodyAsString()).isEqualTo(200);
    return results.bodyAsJsonObject();
  }

  JsonObject finalResults(long eventId, long pollId) throws Exception {
    HttpResponse<Buffer> results = api.get(polls(eventId) + "/" + pollId + "/results?format=json", ADMIN_KEY);
    assertThat(results.statusCode()).as(results.bodyAsString()).isEqualTo(200);
    return results.bodyAsJsonObject();
  }

  static JsonObject pick(String option) {
    return new JsonObject().put("option", option);
  }
}
