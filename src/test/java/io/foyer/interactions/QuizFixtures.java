package io.foyer.interactions;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.Api;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.UUID;

/** Quizzes as organizers run them over HTTP and players answer them over their sockets, for the quiz tests. */
final class QuizFixtures {

  private final Api api;

  QuizFixtures(Api api) {
    this.api = api;
  }

  static String quizzes(long eventId) {
    return "/api/events/" + eventId + "/quizzes";
  }

  /** A choice question of options a, b, c (and d); correct names the right ones. */
  static JsonObject question(String kind, int timeLimitSeconds, int points, String... correct) {
    JsonObject question = new JsonObject().put("kind", kind).put("question", "Which fruit is a pome?")
        .put("translations", new JsonObject().put("fr", "Quel fruit est un fruit à pépins ?"))
        .put("options", new JsonArray().add(PollFixtures.option("a", "Apples", "Pommes"))
            .add(PollFixtures.option("b", "Pears", "Poires")).add(PollFixtures.option("c", "Plums", null))
            .add(PollFixtures.option("d", "Cherries", null)))
        .put("correct", new JsonArray(List.of(correct))).put("timeLimitSeconds", timeLimitSeconds)
        .put("points", points);
    return kind.equals("multiple_choice") ? question.put("maxPicks", 2) : question;
  }

  static JsonObject single(int timeLimitSeconds, int points, String correct) {
    return question("single_choice", timeLimitSeconds, points, correct);
  }

  static JsonObject quiz(String scoring, boolean streakBonus, JsonObject... questions) {
    return new JsonObject().put("title", "Fruit quiz").put("scoring", scoring).put("streakBonus", streakBonus)
        .put("questions", new JsonArray(List.of((Object[]) questions)));
  }

  /** Creates and starts a quiz as the admin organizer; returns its id. */
  long started(long eventId, JsonObject definition) throws Exception {
    HttpResponse<Buffer> created = api.post(quizzes(eventId), ADMIN_KEY, definition);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long quizId = created.bodyAsJsonObject().getLong("id");
    assertThat(act(eventId, quizId, "start").statusCode()).isEqualTo(200);
    return quizId;
  }

  HttpResponse<Buffer> act(long eventId, long quizId, String action) throws Exception {
    return api.post(quizzes(eventId) + "/" + quizId + "/" + action, ADMIN_KEY, null);
  }

  /** Opens the next question; returns it as those who run the quiz see it (with its server stamps). */
  JsonObject next(long eventId, long quizId) throws Exception {
    HttpResponse<Buffer> opened = act(eventId, quizId, "next");
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(200);
    JsonObject quiz = opened.bodyAsJsonObject();
    return quiz.getJsonArray("questions").getJsonObject(quiz.getInteger("currentPosition") - 1);
  }

  void close(long eventId, long quizId) throws Exception {
    HttpResponse<Buffer> closed = act(eventId, quizId, "close");
    assertThat(closed.statusCode()).as(closed.bodyAsString()).isEqualTo(200);
  }

  /** A player on its own socket, subscribed to the event's topic and its own attendee topic. */
  record Player(String token, String registrationId, WsClient ws) {

    JsonObject answer(long quizId, int position, String answerId, JsonObject answer) throws InterruptedException {
      return request(new JsonObject().put("type", "answer").put("quizId", quizId).put("position", position)
          .put("answerId", answerId).put("answer", answer));
    }

    JsonObject answer(long quizId, int position, JsonObject answer) throws InterruptedException {
      return answer(quizId, position, UUID.randomUUID().toString(), answer);
    }

    JsonObject request(JsonObject request) throws InterruptedException {
      String id = ws.send(request);
      return ws.next(frame -> id.equals(frame.getString("re")));
    }

    /** The next pushed message of a kind. */
    JsonObject pushed(String kind) throws InterruptedException {
      return ws.next(frame -> "message".equals(frame.getString("type")) && kind.equals(frame.getString("kind")))
          .getJsonObject("data");
    }

    /** This player's private result for the question at position. */
    JsonObject result(int position) throws InterruptedException {
      return ws.next(frame -> "quiz-result".equals(frame.getString("kind"))
          && frame.getJsonObject("data").getInteger("position") == position).getJsonObject("data");
    }
  }

  static Player join(int port, String token, long eventId) throws Exception {
    WsClient ws = WsClient.connect(port, token);
    String registrationId = ws.next("welcome").getString("registrationId");
    assertThat(ws.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    assertThat(ws.subscribe("attendee:" + registrationId, null).getString("type")).isEqualTo("subscribed");
    return new Player(token, registrationId, ws);
  }

  /** The documented score of a correct answer before any streak bonus: round((1 - (t / T) / 2) * P). */
  static long kahootScore(long responseMs, long limitMs, int points) {
    if (responseMs < 500) {
      return points;
    }
    return BigDecimal.valueOf((long) points * (2 * limitMs - responseMs))
        .divide(BigDecimal.valueOf(2 * limitMs), 0, RoundingMode.HALF_UP).longValue();
  }

  static JsonObject pick(String option) {
    return PollFixtures.pick(option);
  }

  static JsonObject picks(String... options) {
    return new JsonObject().put("options", new JsonArray(List.of((Object[]) options)));
  }
}
