package io.foyer.gateway;

import io.foyer.audit.Actor;
import io.foyer.auth.Runner;
import io.foyer.bus.Bus;
import io.foyer.interactions.InteractionMessages;
import io.foyer.interactions.InteractionMessages.Action;
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
    Client client = authenticated(connection, re);
    if (client == null) {
      return;
    }
    if (!client.attendee()) {
      connection.send(Frames.error(re, ErrorCode.FORBIDDEN, "only attendees vote"));
      return;
    }
    if (!(request.getValue("pollId") instanceof Number pollId) || pollId.doubleValue() != pollId.longValue()) {
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
    Client client = authenticated(connection, re);
    if (client == null) {
      return;
    }
    if (client.attendee()) {
      connection.send(Frames.error(re, ErrorCode.FORBIDDEN, "only the event's organizers and presenters run polls"));
      return;
    }
    Object eventValue = request.getValue("eventId", client.eventId());
    if (!(eventValue instanceof Number eventId) || eventId.doubleValue() != eventId.longValue()
        || !(request.getValue("pollId") instanceof Number pollId) || pollId.doubleValue() != pollId.longValue()) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST,
          "pollId (and eventId, with a key for every event) must be whole numbers"));
      return;
    }
    Action action = Action.named(request.getValue("action") instanceof String name ? name : null);
    if (action == null) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "action must be one of " + Action.names()));
      return;
    }
    if (client.eventId() != null && client.eventId() != eventId.longValue()) {
      connection.send(Frames.error(re, ErrorCode.FORBIDDEN, "this socket's key or token is for event "
          + client.eventId()));
      return;
    }
    Actor actor = new Actor(client.presenter() ? "presenter:" + client.name() : client.name(),
        connection.remoteAddress());
    Runner runner = new Runner(client.presenter() ? Runner.Role.PRESENTER : Runner.Role.ORGANIZER, actor,
        client.sessionId());
    Bus.<JsonObject>request(connection.services().vertx(), InteractionMessages.RUN,
            new Run(eventId.longValue(), pollId.longValue(), action, runner))
        .onComplete(ar -> answer(connection, re, "poll-updated", ar.map(poll -> new JsonObject().put("poll", poll)),
            "the poll could not be changed now; retry"));
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
