package io.foyer.gateway;

import io.foyer.audit.Actor;
import io.foyer.auth.Runner;
import io.foyer.bus.Bus;
import io.foyer.interactions.InteractionMessages;
import io.foyer.interactions.InteractionMessages.Action;
import io.foyer.interactions.InteractionMessages.OfQuiz;
import io.foyer.interactions.InteractionMessages.QuizAction;
import io.foyer.interactions.InteractionMessages.QuizAnswer;
import io.foyer.interactions.InteractionMessages.RunQuiz;
import io.foyer.interactions.InteractionMessages.Run;
import io.foyer.interactions.InteractionMessages.Vote;
import io.foyer.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import io.vertx.core.AsyncResult;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** The protocol's requests (docs/protocol.md): checks each message's shape and hands it to its handler. */
final class Requests {

  private static final String TOPIC_FORMAT =
      "topic must be event:<id>, session:<id>, attendee:<id>, lobby:<id> or results:<id>";

  private Requests() {}

  static void handle(Connection connection, String text) {
    int max = connection.services().config().maxMessageBytes();
    // a character is at most 3 UTF-8 bytes here, so only long texts need counting
    if (text.length() > max / 3 && text.getBytes(StandardCharsets.UTF_8).length > max) {
      connection.close(CloseCodes.TOO_BIG, "message larger than " + max + " bytes");
      return;
    }
    if (!connection.received()) {
      return;
    }
    JsonObject request;
    try {
      if (!(Json.decodeValue(text) instanceof JsonObject object)) {
        connection.send(Frames.error(null, ErrorCode.BAD_REQUEST, "each message must be a JSON object"));
        return;
      }
      request = object;
    } catch (DecodeException e) {
      connection.send(Frames.error(null, ErrorCode.INVALID_JSON, "the message is not valid JSON"));
      return;
    }
    Object idValue = request.getValue("id");
    if (idValue != null && !(idValue instanceof String)) {
      connection.send(Frames.error(null, ErrorCode.BAD_REQUEST, "id must be a string"));
      return;
    }
    String re = (String) idValue;
    if (!(request.getValue("type") instanceof String type)) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "type is required"));
      return;
    }
    switch (type) {
      case "hello" -> connection.authentication().onHello(re, request);
      case "ping" -> connection.send(Frames.reply("pong", re).encode());
      case "subscribe" -> subscribe(connection, re, request);
      case "unsubscribe" -> unsubscribe(connection, re, request);
      case "vote" -> vote(connection, re, request);
      case "run-poll" -> runPoll(connection, re, request);
      case "answer" -> answerQuiz(connection, re, request);
      case "run-quiz" -> runQuiz(connection, re, request);
      case "quiz-state" -> quizState(connection, re, request);
      default -> connection.send(Frames.error(re, ErrorCode.UNKNOWN_TYPE, "unknown message type '" + type + "'"));
    }
  }

  private static void subscribe(Connection connection, String re, JsonObject request) {
    Client client = authenticated(connection, re);
    if (client == null) {
      return;
    }
    Topic topic = Topic.parse(request.getValue("topic") instanceof String name ? name : null);
    if (topic == null) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, TOPIC_FORMAT));
      return;
    }
    Object since = request.getValue("since");
    if (since != null && !(since instanceof Number n && n.longValue() >= 0 && n.doubleValue() == n.longValue())) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST,
          "since must be the last sequence number received (a whole number)"));
      return;
    }
    connection.subscriptions().subscribe(client, re, topic, since == null ? null : ((Number) since).longValue());
  }

  private static void unsubscribe(Connection connection, String re, JsonObject request) {
    if (authenticated(connection, re) == null) {
      return;
    }
    Topic topic = Topic.parse(request.getValue("topic") instanceof String name ? name : null);
    if (topic == null) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, TOPIC_FORMAT));
      return;
    }
    connection.subscriptions().unsubscribe(re, topic);
  }

  /**
   * An attendee's ballot, handed to the interactions capability; its reply comes once the ballot is durable, and
   * a refusal keeps the problem's own code (the same as over HTTP).
   */
  private static void vote(Connection connection, String re, JsonObject request) {
    Client client = player(connection, re, "only attendees vote");
    if (client == null) {
      return;
    }
    if (!(request.getValue("pollId") instanceof Number pollId) || !wholeNumber(pollId)) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "pollId must be the id of a poll (a whole number)"));
      return;
    }
    Vote vote = new Vote(client.eventId(), client.registrationId(), pollId.longValue(), request.getValue("voteId"),
        request.getValue("answer"));
    Bus.<JsonObject>request(connection.services().vertx(), InteractionMessages.VOTE, vote)
        .onComplete(ar -> answer(connection, re, "voted", ar.map(ballot -> ballot),
            "the ballot could not be taken now; retry"));
  }

  /**
   * An organizer or presenter launches, closes, reopens, reveals or hides a poll over its socket, as over REST:
   * {pollId, action, eventId (needed only with a key for every event)}; answered with the poll once done.
   */
  private static void runPoll(Connection connection, String re, JsonObject request) {
    Running running = running(connection, re, request, "pollId", "polls");
    if (running == null) {
      return;
    }
    Action action = Action.named(request.getValue("action") instanceof String name ? name : null);
    if (action == null) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "action must be one of " + Action.names()));
      return;
    }
    Bus.<JsonObject>request(connection.services().vertx(), InteractionMessages.RUN,
            new Run(running.eventId(), running.id(), action, running.runner()))
        .onComplete(ar -> answer(connection, re, "poll-updated", ar.map(poll -> new JsonObject().put("poll", poll)),
            "the poll could not be changed now; retry"));
  }

  /**
   * An organizer or presenter starts a quiz, opens its next question, closes the open one or finishes it over its
   * socket, as over REST: {quizId, action, eventId (as for run-poll)}; answered with the quiz once done.
   */
  private static void runQuiz(Connection connection, String re, JsonObject request) {
    Running running = running(connection, re, request, "quizId", "quizzes");
    if (running == null) {
      return;
    }
    QuizAction action = QuizAction.named(request.getValue("action") instanceof String name ? name : null);
    if (action == null) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "action must be one of " + QuizAction.names()));
      return;
    }
    Bus.<JsonObject>request(connection.services().vertx(), InteractionMessages.QUIZ_RUN,
            new RunQuiz(running.eventId(), running.id(), action, running.runner()))
        .onComplete(ar -> answer(connection, re, "quiz-updated", ar.map(quiz -> new JsonObject().put("quiz", quiz)),
            "the quiz could not be changed now; retry"));
  }

  /** Who runs what in a run-poll or run-quiz request, once its event, id and sender were checked. */
  private record Running(long eventId, long id, Runner runner) {}

  /** The event, the poll's or quiz's id and the runner of the request; null once refused. */
  private static Running running(Connection connection, String re, JsonObject request, String idField,
      String what) {
    Client client = authenticated(connection, re);
    if (client == null) {
      return null;
    }
    if (!client.runsEvents()) {
      connection.send(Frames.error(re, ErrorCode.FORBIDDEN, "only the event's organizers and presenters run "
          + what));
      return null;
    }
    Object eventValue = request.getValue("eventId", client.eventId());
    if (!wholeNumber(eventValue) || !wholeNumber(request.getValue(idField))) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST,
          idField + " (and eventId, with a key for every event) must be whole numbers"));
      return null;
    }
    long eventId = ((Number) eventValue).longValue();
    if (client.eventId() != null && client.eventId() != eventId) {
      connection.send(Frames.error(re, ErrorCode.FORBIDDEN, "this socket's key or token is for event "
          + client.eventId()));
      return null;
    }
    Actor actor = new Actor(client.presenter() ? "presenter:" + client.name() : client.name(),
        connection.remoteAddress());
    Runner runner = new Runner(client.presenter() ? Runner.Role.PRESENTER : Runner.Role.ORGANIZER, actor,
        client.sessionId());
    return new Running(eventId, ((Number) request.getValue(idField)).longValue(), runner);
  }

  /**
   * A player's answer to a quiz question: {quizId, position, answerId, answer}. Its time is taken here, as it
   * arrives; the reply comes once the answer is durable, a refusal with the same code as over HTTP.
   */
  private static void answerQuiz(Connection connection, String re, JsonObject request) {
    long receivedAt = System.currentTimeMillis();
    Client player = player(connection, re, "only attendees answer quizzes");
    if (player == null) {
      return;
    }
    if (!wholeNumber(request.getValue("quizId")) || !wholeNumber(request.getValue("position"))) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST,
          "quizId and position (of the question, from 1) must be whole numbers"));
      return;
    }
    QuizAnswer answer = new QuizAnswer(player.eventId(), player.registrationId(),
        ((Number) request.getValue("quizId")).longValue(), ((Number) request.getValue("position")).longValue(),
        request.getValue("answerId"), request.getValue("answer"), receivedAt);
    Bus.<JsonObject>request(connection.services().vertx(), InteractionMessages.QUIZ_ANSWER, answer)
        .onComplete(ar -> answer(connection, re, "answered", ar, "the answer could not be taken now; retry"));
  }

  /**
   * What a player gets back after a reconnect: {quizId}, answered with quiz-state: the quiz, its current question
   * and remaining time (no correct options while it is open), and the player's own score, rank and streak.
   */
  private static void quizState(Connection connection, String re, JsonObject request) {
    Client player = player(connection, re, "quiz-state is a player's view; organizers and presenters read "
        + "GET /api/events/{id}/quizzes/{quizId}");
    if (player == null) {
      return;
    }
    if (!wholeNumber(request.getValue("quizId"))) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "quizId must be the id of a quiz (a whole number)"));
      return;
    }
    Bus.<JsonObject>request(connection.services().vertx(), InteractionMessages.QUIZ_GET,
            new OfQuiz(player.eventId(), ((Number) request.getValue("quizId")).longValue(), player.registrationId()))
        .onComplete(ar -> answer(connection, re, "quiz-state", ar, "the quiz could not be read now; retry"));
  }

  /** The attendee on this socket; null once refused (not authenticated, or not an attendee). */
  private static Client player(Connection connection, String re, String refusal) {
    Client client = authenticated(connection, re);
    if (client != null && !client.attendee()) {
      connection.send(Frames.error(re, ErrorCode.FORBIDDEN, refusal));
      return null;
    }
    return client;
  }

  private static boolean wholeNumber(Object value) {
    return value instanceof Number n && n.doubleValue() == n.longValue();
  }

  /** A request's reply, or its refusal with the same code as over HTTP. */
  private static void answer(Connection connection, String re, String replyType, AsyncResult<JsonObject> ar,
      String unavailable) {
    if (ar.succeeded()) {
      connection.send(Frames.reply(replyType, re).mergeIn(ar.result()).encode());
    } else if (ar.cause() instanceof ProblemException problem) {
      connection.send(Frames.error(re, problem.type().code(), problem.detail()));
    } else {
      connection.send(Frames.error(re, ErrorCode.UNAVAILABLE, unavailable));
    }
  }

  private static Client authenticated(Connection connection, String re) {
    Client client = connection.authentication().client();
    if (client == null) {
      connection.send(Frames.error(re, ErrorCode.UNAUTHORIZED, "send hello with a token first"));
    }
    return client;
  }
}
