package io.foyer.gateway;

import io.foyer.auth.Attendee;
import io.foyer.auth.Credentials;
import io.foyer.bus.Bus;
import io.foyer.lobby.LobbyMessages;
import io.foyer.lobby.LobbyMessages.CheckLive;
import io.foyer.lobby.LobbyMessages.Status;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Who is on the other end of one socket: a token from the upgrade URL or one {@code hello}, checked once.
 * A token that is wrong closes the socket with 4001 (final); a token that cannot be checked right now
 * (database or Redis unreachable) closes it with 1013, which clients retry with backoff. A lobby queue ticket is
 * checked (and renewed) by the lobby, and authenticates someone waiting there: its socket keeps the ticket renewed.
 */
final class Authentication {

  private enum State { WAITING, CHECKING, DONE }

  /** The lobby's refusals of an attendee's admission onto a guarded live page. */
  private static final Set<ProblemType> ADMISSION_PROBLEMS = Set.of(ProblemType.ADMISSION_REQUIRED,
      ProblemType.INVALID_ADMISSION, ProblemType.ADMISSION_EXPIRED, ProblemType.ADMISSION_USED);

  private final Connection connection;
  private final GatewayServices services;
  private State state = State.WAITING;
  private Client client;
  private long timer = -1;
  /** The lobby's answer to a ticket, for the welcome; then the renewals of a waiting socket. */
  private JsonObject lobbyStatus;
  private TicketRenewal renewal;
  /** The lobby's admission an attendee brings, for a live page the lobby guards. */
  private String admission;

  Authentication(Connection connection, GatewayServices services) {
    this.connection = connection;
    this.services = services;
  }

  /** A token from the upgrade URL is checked at once; otherwise a hello must come in time. */
  void start(String urlToken, String urlAdmission) {
    admission = urlAdmission;
    if (urlToken != null) {
      check(urlToken, null);
    } else {
      timer = services.vertx().setTimer(services.config().authTimeout().toMillis(),
          t -> connection.close(CloseCodes.UNAUTHORIZED, "no authentication in time"));
    }
  }

  /** The authenticated client, or null. */
  Client client() {
    return client;
  }

  void onHello(String re, JsonObject request) {
    Object version = request.getValue("v", Frames.VERSION);
    if (!(version instanceof Number n) || n.intValue() != Frames.VERSION) {
      connection.send(Frames.error(re, ErrorCode.UNSUPPORTED_VERSION,
          "this server speaks protocol version " + Frames.VERSION));
      connection.close(CloseCodes.UNSUPPORTED_VERSION, "unsupported protocol version");
      return;
    }
    if (state != State.WAITING) {
      // a second hello while the first is checked would authenticate, and count, the socket twice
      connection.send(Frames.error(re, ErrorCode.ALREADY_AUTHENTICATED, state == State.DONE
          ? "this socket is already authenticated" : "this socket's first hello is being checked"));
      return;
    }
    if (!(request.getValue("token") instanceof String token) || token.isBlank()) {
      connection.send(Frames.error(re, ErrorCode.BAD_REQUEST, "hello needs a token"));
      return;
    }
    if (request.getValue("admission") instanceof String given) {
      admission = given;
    }
    check(token, re);
  }

  /** Stops the authentication timer; for a socket that closes. */
  void cancel() {
    services.vertx().cancelTimer(timer);
  }

  private void check(String token, String re) {
    state = State.CHECKING;
    verify(token).onComplete(ar -> {
      if (connection.isClosed()) {
        return;
      }
      if (ar.succeeded()) {
        authenticated(ar.result(), re);
      } else if (ar.cause() instanceof ProblemException problem && problem.type().retryable()) {
        connection.send(Frames.error(re, ErrorCode.UNAVAILABLE, "the token cannot be checked right now; "
            + "reconnect shortly"));
        connection.close(CloseCodes.TRY_AGAIN_LATER, "try again later");
      } else if (ar.cause() instanceof ProblemException problem && ADMISSION_PROBLEMS.contains(problem.type())) {
        // the live page is full: the attendee goes through the lobby, then comes back with its admission
        connection.send(Frames.error(re, problem.type().code(), problem.detail()));
        connection.close(CloseCodes.ADMISSION_REQUIRED, "admission required");
      } else if (ar.cause() instanceof ProblemException problem
          && (problem.type() == ProblemType.TICKET_EXPIRED || problem.type() == ProblemType.NOT_FOUND)) {
        // a ticket the lobby refused says why (ticket-expired: join again), as over HTTP
        connection.send(Frames.error(re, problem.type().code(), problem.detail()));
        connection.close(CloseCodes.UNAUTHORIZED, "invalid lobby ticket");
      } else {
        connection.send(Frames.error(re, ErrorCode.UNAUTHORIZED, "the token is invalid or expired"));
        connection.close(CloseCodes.UNAUTHORIZED, "invalid token");
      }
    });
  }

  /**
   * An attendee token whose registration still stands, an organizer key, a presenter token still valid, or a lobby
   * ticket still valid.
   */
  private Future<Client> verify(String token) {
    return services.credentials().tokens().verify(token)
        .transform(ar -> ar.succeeded() ? stillRegistered(ar.result()) : organizerOrPresenter(token));
  }

  /** An attendee whose registration still stands, and whom the lobby lets onto the live page. */
  private Future<Client> stillRegistered(Attendee attendee) {
    return services.access().registration(attendee.registrationId()).compose(status -> status.active()
        ? Bus.request(services.vertx(), LobbyMessages.CHECK_LIVE,
            new CheckLive(attendee.eventId(), attendee.registrationId(), admission))
            .map(v -> Client.of(attendee, status.language()))
        : Future.failedFuture(new ProblemException(ProblemType.UNAUTHORIZED, "registration cancelled or erased")));
  }

  private Future<Client> organizerOrPresenter(String token) {
    Credentials credentials = services.credentials();
    return credentials.keys().authenticate(token).map(Client::of).map(Future::succeededFuture)
        .orElseGet(() -> credentials.presenters().verify(token).map(Client::of)
            .recover(notPresenter -> waitingInLobby(token, notPresenter)));
  }

  /** A ticket's event is in the ticket; the lobby of that event checks it, and renews it at once. */
  private Future<Client> waitingInLobby(String token, Throwable notPresenter) {
    return services.credentials().lobby().readTicket(token).transform(read -> {
      if (read.failed()) {
        return Future.failedFuture(notPresenter);
      }
      long eventId = read.result().eventId();
      return Bus.<JsonObject>request(services.vertx(), LobbyMessages.STATUS, new Status(eventId, token))
          .map(status -> {
            lobbyStatus = status;
            return Client.waiting(eventId);
          });
    });
  }

  private void authenticated(Client authenticated, String re) {
    state = State.DONE;
    client = authenticated;
    cancel();
    if (client.attendee()) {
      services.presence().arrived(Topic.event(client.eventId()).name());
    }
    JsonArray topics = new JsonArray();
    client.ownTopics().forEach(topic -> topics.add(topic.name()));
    JsonObject welcome = Frames.reply("welcome", re).put("v", Frames.VERSION).put("node", services.nodeId())
        .put("connection", connection.id()).mergeIn(client.toJson()).put("topics", topics)
        .put("pingIntervalMs", services.config().pingInterval().toMillis());
    if (client.waiting()) {
      welcome.put("lobby", lobbyStatus);
      renewal = new TicketRenewal(connection, services, client.eventId(), lobbyStatus);
    }
    connection.send(welcome.encode());
  }

  /** Undoes what authentication counted; for a socket that closes. */
  void leave() {
    cancel();
    if (renewal != null) {
      renewal.cancel();
    }
    if (client != null && client.attendee()) {
      services.presence().left(Topic.event(client.eventId()).name());
    }
  }
}
